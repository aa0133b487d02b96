import Testing

@testable import CORS

/// Hosts as browsers read and write addresses (the URL standard's host parser and serializer).
@Suite struct AddressHostTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let host: String
        let verdict: AddressHost.Verdict
        var testDescription: String { host }
    }

    static let cases: [Case] = [
        Case(host: "example.com", verdict: .name),
        Case(host: "localhost", verdict: .name),
        Case(host: "1.example", verdict: .name),
        Case(host: "127.0.0.1", verdict: .canonical),
        Case(host: "127.1", verdict: .written(canonical: "127.0.0.1")),
        Case(host: "0177.0.0.1", verdict: .written(canonical: "127.0.0.1")),
        Case(host: "0x7f.0.0.1", verdict: .written(canonical: "127.0.0.1")),
        Case(host: "2130706433", verdict: .written(canonical: "127.0.0.1")),
        Case(host: "example.0x10", verdict: .invalid),
        Case(host: "256.0.0.1", verdict: .invalid),
        Case(host: "1.2.3.4.5", verdict: .invalid),
        Case(host: "[::1]", verdict: .canonical),
        Case(host: "[::0001]", verdict: .written(canonical: "[::1]")),
        Case(host: "[0:0:0:0:0:0:0:1]", verdict: .written(canonical: "[::1]")),
        Case(host: "[2001:DB8::1]", verdict: .written(canonical: "[2001:db8::1]")),
        Case(host: "[2001:db8:0:0:1:0:0:1]", verdict: .written(canonical: "[2001:db8::1:0:0:1]")),
        Case(host: "[1:0:0:2:0:0:0:3]", verdict: .written(canonical: "[1:0:0:2::3]")),
        Case(host: "[2001:db8:0:1:1:1:1:1]", verdict: .canonical),
        Case(host: "[::ffff:127.0.0.1]", verdict: .written(canonical: "[::ffff:7f00:1]")),
        Case(host: "[1::]", verdict: .canonical),
        Case(host: "[1::2::3]", verdict: .invalid),
        Case(host: "[12345::]", verdict: .invalid),
    ]

    @Test(arguments: cases) func verdicts(_ testCase: Case) {
        #expect(AddressHost.verdict(testCase.host) == testCase.verdict)
    }
}

/// Which earlier route hides a later one (the first matching route wins).
@Suite struct RouteCoverageTests {
    @Test(arguments: [
        ("/**", "/anything/at/all", true), ("/api/**", "/api/*/items", true), ("/api/**", "/api", true),
        ("/api/*", "/api/x", true), ("/api/*", "/api/**", false), ("/api/x", "/api/*", false),
        ("/a/**/b", "/a/x/b", false), ("/api/*/items", "/api/*/items", true), ("/api", "/api/x", false),
    ])
    func covers(_ earlier: String, _ later: String, _ expected: Bool) throws {
        #expect(try RoutePattern(earlier).covers(try RoutePattern(later)) == expected)
    }
}
