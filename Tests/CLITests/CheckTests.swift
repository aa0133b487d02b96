import Foundation
import Testing

/// `cors check` as a user runs it, against `cors serve`: exit codes, the report, the JSON object.
@Suite(.serialized) struct CheckTests {
    static let localOrigin = "http://localhost:3000"

    func object(_ text: String) throws -> [String: Any] {
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1, "--json prints exactly one line")
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any])
    }

    func check(_ arguments: [String]) async throws -> CORSProcess.Outcome {
        try await CORSProcess.run(["check"] + arguments)
    }

    @Test func allowedExitsZeroAndPrintsTheJSONShape() async throws {
        let server = try await CORSProcess.serve([])
        defer { server.stop() }
        let outcome = try await check([server.baseURL + "/items", "--origin", Self.localOrigin, "--json"])
        #expect(outcome.status == 0)
        let json = try object(outcome.standardOutput)
        #expect(json["allowed"] as? Bool == true)
        #expect(json["preflight"] is NSNull)
        #expect(json["reason"] is NSNull)
        #expect(json["failedParameter"] is NSNull)
        #expect(json["message"] is String)
        #expect(json["fix"] as? String == "")
        #expect((json["exposedHeaders"] as? [String])?.contains("content-type") == true)
        #expect((json["exchanges"] as? [Any])?.count == 1)
        #expect(json["warnings"] is [Any])
    }

    @Test func refusedOriginExitsOneWithChromiumsReason() async throws {
        let server = try await CORSProcess.serve([])
        defer { server.stop() }
        let outcome = try await check([server.baseURL + "/items", "--origin", "https://evil.example", "--json"])
        #expect(outcome.status == 1)
        let json = try object(outcome.standardOutput)
        #expect(json["allowed"] as? Bool == false)
        #expect(json["reason"] as? String == "MissingAllowOriginHeader")
        #expect(json["failedParameter"] as? String == "")
        #expect(
            (json["message"] as? String)?.contains("has been blocked by CORS policy: No 'Access-Control-Allow-Origin'")
                == true)
        #expect((json["fix"] as? String)?.contains("https://evil.example") == true)
    }

    @Test func preflightRefusingAHeaderNamesIt() async throws {
        let policy = try PolicyFileFixture(
            #"{"origins": ["http://localhost:*"], "allowedHeaders": ["X-A"], "debug": true}"#)
        defer { policy.remove() }
        let server = try await CORSProcess.serve(["--policy", policy.path])
        defer { server.stop() }
        let arguments = [
            server.baseURL + "/items", "--origin", Self.localOrigin, "--method", "PUT", "--header", "X-A: 1",
            "--header", "X-B: 2",
        ]
        let outcome = try await check(arguments + ["--json"])
        #expect(outcome.status == 1)
        let json = try object(outcome.standardOutput)
        #expect(json["reason"] as? String == "HeaderDisallowedByPreflightResponse")
        #expect(json["failedParameter"] as? String == "x-b")
        let preflight = try #require(json["preflight"] as? [String: Any])
        #expect(preflight["status"] as? Int == 204)
        #expect(preflight["requestHeaders"] as? String == "x-a,x-b")
        let human = try await check(arguments)
        #expect(human.status == 1)
        #expect(human.standardOutput.contains("> OPTIONS /items HTTP/1.1"))
        #expect(human.standardOutput.contains("> Access-Control-Request-Headers: x-a,x-b"))
        #expect(human.standardOutput.contains("< HTTP/1.1 204"))
        #expect(human.standardOutput.contains("BLOCKED: HeaderDisallowedByPreflightResponse (x-b)"))
        #expect(human.standardOutput.contains("Request header field x-b is not allowed"))
        #expect(human.standardOutput.contains("Access-Control-Allow-Headers: x-a, x-b"))
    }

    @Test func wildcardWithCredentialsGivesAConcreteFix() async throws {
        let policy = try PolicyFileFixture(#"{"origins": ["*"]}"#)
        defer { policy.remove() }
        let server = try await CORSProcess.serve(["--policy", policy.path])
        defer { server.stop() }
        let outcome = try await check([server.baseURL + "/me", "--origin", Self.localOrigin, "--credentials"])
        #expect(outcome.status == 1)
        let text = outcome.standardOutput
        #expect(text.contains("BLOCKED: WildcardOriginNotAllowed"))
        #expect(
            text.contains(
                "must not be the wildcard '*' when the request's credentials mode is 'include'."))
        #expect(text.contains("Access-Control-Allow-Origin: \(Self.localOrigin)"))
        #expect(text.contains("Access-Control-Allow-Credentials: true"))
        for snippet in [
            "\"credentials\": true", "CORSHummingbirdMiddleware(CORSConfiguration(",
            "CORSMiddleware(configuration: .init(",
            "app.use(cors({", "add_header Access-Control-Allow-Origin \"\(Self.localOrigin)\" always;",
        ] {
            #expect(text.contains(snippet), "missing snippet \(snippet)")
        }
    }

    struct Usage: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var stderr: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let usageErrors: [Usage] = [
        Usage(arguments: ["not-a-url", "--origin", localOrigin], stderr: "not an http:// or https:// URL"),
        Usage(arguments: ["http://127.0.0.1:1/", "--origin", "localhost:3000"], stderr: "is not an origin"),
        Usage(arguments: ["http://127.0.0.1:1/", "--origin", localOrigin, "--header", "X-A"], stderr: "'Name: value'"),
        Usage(
            arguments: ["http://127.0.0.1:1/", "--origin", localOrigin, "--header", "X A: 1"],
            stderr: "not a valid header name"),
        Usage(arguments: ["http://127.0.0.1:1/", "--origin", localOrigin, "--method", "TRACE"], stderr: "unsupported"),
        Usage(arguments: ["http://127.0.0.1:1/", "--origin", localOrigin], stderr: "could not connect"),
    ]

    @Test(arguments: usageErrors)
    func usageAndNetworkErrorsExitTwo(_ usage: Usage) async throws {
        let outcome = try await check(usage.arguments)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains(usage.stderr), "stderr: \(outcome.standardError)")
        let json = try await check(usage.arguments + ["--json"])
        #expect(json.status == 2)
        let object = try object(json.standardOutput)
        let error = try #require(object["error"] as? [String: Any])
        #expect((error["message"] as? String)?.contains(usage.stderr) == true)
    }

    @Test func helpNamesEveryOption() async throws {
        let outcome = try await CORSProcess.run(["check", "--help"])
        #expect(outcome.status == 0)
        for option in ["--origin", "--method", "--header", "--credentials", "--json", "Exit status"] {
            #expect(outcome.standardOutput.contains(option), "help lacks \(option)")
        }
    }
}
