import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Black-box: the `cors` binary started as a user would, spoken to over real HTTP.
@Suite(.serialized) struct ServeTests {
    static let strictPolicy = """
        {
          "origins": ["https://app.example.com", "https://*.example.org", "regex:^https://pr-[0-9]+\\\\.example\\\\.net$"],
          "methods": ["GET", "POST", "PUT", "DELETE"],
          "allowedHeaders": ["Content-Type", "Authorization"],
          "exposedHeaders": ["X-Total-Count"],
          "credentials": true,
          "maxAge": 600,
          "routes": [{ "path": "/public/**", "origins": ["*"], "credentials": false }]
        }
        """

    func send(
        _ base: String, _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = []
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    }

    @Test func developmentDefaultAnswersALocalhostPreflight() async throws {
        let server = try await CORSProcess.serve([])
        defer { server.stop() }
        let response = try await send(
            server.baseURL, "/api/items", method: .OPTIONS,
            headers: [
                ("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "content-type,x-requested-with"),
            ])
        #expect(response.status == .noContent)
        #expect(response.headers["Access-Control-Allow-Origin"] == ["http://localhost:3000"])
        #expect(response.headers.first(name: "Access-Control-Allow-Methods")?.contains("PUT") == true)
        #expect(response.headers.first(name: "Access-Control-Allow-Headers") == "*,authorization")
        #expect(response.headers["Access-Control-Allow-Credentials"].isEmpty)
        // HTTP forbids Content-Length on a 204, so the server drops it; the body must be empty either way.
        #expect(response.headers.first(name: "Content-Length") ?? "0" == "0")
        #expect(try await response.body.collect(upTo: 1024).readableBytes == 0)
    }

    @Test func echoAPIDescribesTheRequest() async throws {
        let server = try await CORSProcess.serve([])
        defer { server.stop() }
        let response = try await send(
            server.baseURL, "/things/1?status=201&set=X-Total-Count:42&set=X-Other:%20yes",
            headers: [("Origin", "http://127.0.0.1:5173")])
        #expect(response.status == .created)
        #expect(response.headers.first(name: "X-Total-Count") == "42")
        #expect(response.headers.first(name: "X-Other") == "yes")
        #expect(response.headers.first(name: "Access-Control-Allow-Origin") == "http://127.0.0.1:5173")
        #expect(response.headers.first(name: "Access-Control-Expose-Headers") == "*")
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(String(buffer: body).utf8)) as? [String: Any]
        #expect(json?["method"] as? String == "GET")
        #expect(json?["path"] as? String == "/things/1")
        #expect((json?["query"] as? String)?.hasPrefix("status=201") == true)
        #expect((json?["headers"] as? [String: String])?["origin"] == "http://127.0.0.1:5173")
    }

    @Test func echoAPIRejectsABadStatus() async throws {
        let server = try await CORSProcess.serve([])
        defer { server.stop() }
        let response = try await send(server.baseURL, "/?status=abc")
        #expect(response.status == .badRequest)
    }

    struct OriginCase: Sendable, CustomTestStringConvertible {
        var origin: String
        var allowed: Bool
        var testDescription: String { "\(origin) → \(allowed ? "allowed" : "refused")" }
    }

    static let originCases: [OriginCase] = [
        .init(origin: "https://app.example.com", allowed: true),
        .init(origin: "https://app.example.com.evil.net", allowed: false),
        .init(origin: "https://evilapp.example.com", allowed: false),
        .init(origin: "https://appxexample.com", allowed: false),
        .init(origin: "http://app.example.com", allowed: false),
        .init(origin: "https://a.example.org", allowed: true),
        .init(origin: "https://example.org", allowed: false),
        .init(origin: "https://pr-12.example.net", allowed: true),
        .init(origin: "https://pr-12.example.net.evil.com", allowed: false),
        .init(origin: "https://pr-12xexample.net", allowed: false),
        .init(origin: "null", allowed: false),
    ]

    @Test(arguments: originCases)
    func strictPolicyOverRealHTTP(_ testCase: OriginCase) async throws {
        let file = try PolicyFileFixture(Self.strictPolicy)
        defer { file.remove() }
        let server = try await CORSProcess.serve(["--policy", file.path])
        defer { server.stop() }
        let response = try await send(server.baseURL, "/private", headers: [("Origin", testCase.origin)])
        #expect(response.status == .ok)
        #expect(response.headers["Vary"].joined(separator: ",").contains("Origin"))
        if testCase.allowed {
            #expect(response.headers["Access-Control-Allow-Origin"] == [testCase.origin])
            #expect(response.headers.first(name: "Access-Control-Allow-Credentials") == "true")
        } else {
            #expect(response.headers["Access-Control-Allow-Origin"].isEmpty)
        }
    }

    @Test func perRoutePolicyOverRealHTTP() async throws {
        let file = try PolicyFileFixture(Self.strictPolicy)
        defer { file.remove() }
        let server = try await CORSProcess.serve(["--policy", file.path])
        defer { server.stop() }
        let response = try await send(server.baseURL, "/public/a/b", headers: [("Origin", "https://anyone.test")])
        #expect(response.headers["Access-Control-Allow-Origin"] == ["*"])
        #expect(response.headers["Access-Control-Allow-Credentials"].isEmpty)
        let refused = try await send(
            server.baseURL, "/private", method: .OPTIONS,
            headers: [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PATCH")])
        #expect(refused.status == .forbidden)
        #expect(refused.headers["Access-Control-Allow-Origin"].isEmpty)
    }

    @Test func invalidPolicyRefusesToStart() async throws {
        let file = try PolicyFileFixture(#"{"origins": ["*"], "credentials": true}"#)
        defer { file.remove() }
        let outcome = try await CORSProcess.run(["serve", "--port", "0", "--policy", file.path])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("origins[0]"))
        #expect(!outcome.standardOutput.contains("listening on"))
    }
}
