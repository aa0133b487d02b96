import Foundation
import Testing

/// Bad input gets a short sentence naming what was wrong, quoting at most a bounded, escaped
/// excerpt (the hostile-input issue, item 10): never a parser's internals, a raw errno, a
/// terminal escape, or a million digits echoed back.
@Suite struct ClearErrorTests {
    struct PolicyCase: Sendable, CustomTestStringConvertible {
        var name: String
        var policy: String
        var fileExtension = "json"
        var says: String
        var testDescription: String { name }
    }

    static let policies: [PolicyCase] = [
        .init(
            name: "a million-digit number",
            policy: #"{"origins":["https://a.com"],"maxAge":"# + String(repeating: "9", count: 1_000_000) + "}",
            says: "(1000000 digits)"),
        .init(
            name: "a NUL and an escape sequence in a key",
            policy: #"{"origins":["https://a.com"],"ke\u0000y\u001b[31m":1}"#,
            says: #"unknown key "ke\u{0}y\u{1b}[31m""#),
        .init(
            name: "a 50 MB origin",
            policy: #"{"origins":["https://"# + String(repeating: "a", count: 50_000_000) + #".com"]}"#,
            says: "is longer than any origin"),
        .init(
            name: "a YAML tag that runs code elsewhere",
            policy: "origins: !!python/object/apply:os.system ['echo hi']\n", fileExtension: "yaml",
            says: "unsupported tag !!python/object/apply:os.system"),
        .init(
            name: "a YAML tag on the document", policy: "!!python/object/new:x\norigins: ['https://a.com']\n",
            fileExtension: "yaml", says: "unsupported tag !!python/object/new:x on a mapping"),
        .init(
            name: "YAML nested too deep", policy: "origins: " + String(repeating: "[", count: 5000) + "\n",
            fileExtension: "yaml", says: "nests lists or mappings too deeply"),
        .init(
            name: "a ReDoS regex", policy: #"{"origins":["regex:^https://(a+)+\\.example\\.com$"],"credentials":true}"#,
            says: "nests a repetition inside a repetition"),
    ]

    @Test(arguments: policies)
    func lintNamesTheProblemBriefly(_ testCase: PolicyCase) async throws {
        let file = try PolicyFileFixture(testCase.policy, extension: testCase.fileExtension)
        defer { file.remove() }
        let outcome = try await CORSProcess.run(["lint", file.path])
        let output = outcome.standardOutput + outcome.standardError
        #expect(outcome.status == 1 || outcome.status == 2)
        #expect(output.contains(testCase.says), "\(output.prefix(2000))")
        #expect(output.utf8.count < 4000, "the report is bounded")
        #expect(!output.utf8.contains { $0 < 0x20 && $0 != 0x0A }, "no raw control bytes reach the terminal")
        #expect(!output.contains("yaml_set_max_nest_level"))
    }

    struct FlagCase: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var says: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let flags: [FlagCase] = [
        .init(arguments: ["proxy", "--max-body", "-1"], says: "--max-body must be a positive number of bytes, not -1"),
        .init(arguments: ["proxy", "--max-redirects", "-3"], says: "--max-redirects must be 0 or more, not -3"),
        .init(arguments: ["serve", "--port", "-5"], says: "--port must be a port number"),
        .init(
            arguments: ["serve", "--upstream", "http://127.0.0.1:9", "--port", "9000", "--metrics-port", "9000"],
            says: "--metrics-port 9000 is also --port"),
        .init(
            arguments: ["proxy", "--port", "9000", "--metrics-port", "9000"], says: "--metrics-port 9000 is also --port"
        ),
        .init(
            arguments: ["audit", "http://127.0.0.1:9/", "--header", "Cookie: a\r\nX: 1"],
            says: "--header 'Cookie': the value contains a line break or NUL."),
        .init(
            arguments: ["check", "http://127.0.0.1:9/", "--origin", "https://a.com", "--header", "X: a\nb"],
            says: "--header 'X': the value contains a line break or NUL."),
    ]

    @Test(arguments: flags)
    func flagsAreRefusedByName(_ testCase: FlagCase) async throws {
        let outcome = try await CORSProcess.run(testCase.arguments)
        #expect(outcome.status != 0)
        #expect((outcome.standardOutput + outcome.standardError).contains(testCase.says), "\(outcome.standardError)")
        #expect(!outcome.standardError.contains("Missing value"))
    }
}
