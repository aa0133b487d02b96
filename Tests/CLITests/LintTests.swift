import Foundation
import Testing

/// `cors lint` as a user runs it: exit codes and `FIELD: problem — why — fix` lines.
@Suite struct LintTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var policy: String
        var field: String
        var testDescription: String { "\(field): \(policy)" }
    }

    /// Each configuration the engine issue names, with the field `cors lint` must blame.
    static let invalid: [Case] = [
        .init(policy: #"{"origins": ["*"], "credentials": true}"#, field: "origins[0]"),
        .init(
            policy: #"{"origins": ["https://a.com"], "allowedHeaders": ["*"], "credentials": true}"#,
            field: "allowedHeaders[0]"),
        .init(
            policy: #"{"origins": ["https://a.com"], "exposedHeaders": ["*"], "credentials": true}"#,
            field: "exposedHeaders[0]"),
        .init(policy: #"{"origins": ["null"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com/path"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com/"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com?x=1"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://user@a.com"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com:443"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["http://a.com:80"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com:0"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com:65536"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["a.com"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://bücher.example"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://*example.com"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://*.com"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["regex:^https://(a"]}"#, field: "origins[0]"),
        .init(policy: #"{"origins": ["https://a.com"], "methods": ["GET", "CONNECT"]}"#, field: "methods[1]"),
        .init(policy: #"{"origins": ["https://a.com"], "methods": ["trace"]}"#, field: "methods[0]"),
        .init(policy: #"{"origins": ["https://a.com"], "methods": ["TRACK"]}"#, field: "methods[0]"),
        .init(policy: #"{"origins": ["https://a.com"], "allowedHeaders": ["Cookie"]}"#, field: "allowedHeaders[0]"),
        .init(
            policy: #"{"origins": ["https://a.com"], "allowedHeaders": ["Access-Control-Allow-Origin"]}"#,
            field: "allowedHeaders[0]"),
        .init(policy: #"{"origins": ["https://a.com"], "allowedHeaders": ["X Bad"]}"#, field: "allowedHeaders[0]"),
        .init(policy: #"{"origins": ["https://a.com"], "maxAge": -2}"#, field: "maxAge"),
        .init(policy: #"{"origins": ["https://a.com"], "maxAge": 86401}"#, field: "maxAge"),
        .init(
            policy:
                #"{"origins": ["https://a.com"], "routes": [{"path": "/p/**", "origins": ["*"]}], "credentials": true}"#,
            field: "routes[0].origins[0]"),
        .init(policy: #"{"origins": ["https://a.com"], "allowedHeader": ["X-A"]}"#, field: "allowedHeader"),
    ]

    @Test(arguments: invalid)
    func rejects(_ testCase: Case) async throws {
        let file = try PolicyFileFixture(testCase.policy)
        defer { file.remove() }
        let outcome = try await CORSProcess.run(["lint", file.path])
        #expect(outcome.status == 1)
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("\(testCase.field)") && $0.contains(" — ") })
        let serve = try await CORSProcess.run(["serve", "--port", "0", "--policy", file.path])
        #expect(serve.status == 2)
    }

    @Test func acceptsAValidPolicyAndWarnsOnStderr() async throws {
        let file = try PolicyFileFixture(
            #"{"origins": ["http://app.example.com", "regex:^https://app.example.com$"], "credentials": true, "maxAge": 7201}"#
        )
        defer { file.remove() }
        let outcome = try await CORSProcess.run(["lint", file.path])
        #expect(outcome.status == 0)
        #expect(outcome.standardError.contains("warning: maxAge"))
        #expect(outcome.standardError.contains("warning: origins[0]"))
        #expect(outcome.standardError.contains("warning: origins[1]"))
    }

    @Test func versionNamesThePublicSuffixListsDate() async throws {
        let outcome = try await CORSProcess.run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("Public Suffix List 2023-02-09"), "\(outcome.standardOutput)")
    }

    @Test func refusesAWildcardOverAPublicSuffixOfTheWholeList() async throws {
        let file = try PolicyFileFixture(#"{"origins": ["https://*.com.de"], "credentials": true}"#)
        defer { file.remove() }
        let outcome = try await CORSProcess.run(["lint", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.contains("public suffix 'com.de'"), "\(outcome.standardOutput)")
    }

    @Test func acceptsYAML() async throws {
        let file = try PolicyFileFixture(
            """
            origins:
              - https://app.example.com
            methods: [GET, POST]
            credentials: true
            """, extension: "yaml")
        defer { file.remove() }
        #expect(try await CORSProcess.run(["lint", file.path]).status == 0)
    }

    @Test func missingFileIsAUsageError() async throws {
        let outcome = try await CORSProcess.run(["lint", "/nonexistent/policy.json"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("/nonexistent/policy.json"))
    }

    @Test func helpListsTheSubcommands() async throws {
        let outcome = try await CORSProcess.run(["--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("serve"))
        #expect(outcome.standardOutput.contains("lint"))
    }
}
