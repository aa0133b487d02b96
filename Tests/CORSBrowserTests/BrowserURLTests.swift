import CORSBrowser
import Testing

@Suite struct BrowserURLTests {
    struct ParseCase: Sendable, CustomStringConvertible {
        let input: String
        let serialized: String?
        let origin: String?
        var description: String { input }
    }

    static let parseCases: [ParseCase] = [
        ParseCase(input: "https://api.example", serialized: "https://api.example/", origin: "https://api.example"),
        ParseCase(
            input: "HTTPS://API.Example:443/A?b=C#frag", serialized: "https://api.example/A?b=C",
            origin: "https://api.example"),
        ParseCase(input: "http://localhost:80/x", serialized: "http://localhost/x", origin: "http://localhost"),
        ParseCase(
            input: "http://127.0.0.1:8080", serialized: "http://127.0.0.1:8080/", origin: "http://127.0.0.1:8080"),
        ParseCase(input: "http://[::1]:3000/p", serialized: "http://[::1]:3000/p", origin: "http://[::1]:3000"),
        ParseCase(
            input: "https://u:p@api.example/", serialized: "https://u:p@api.example/", origin: "https://api.example"),
        ParseCase(
            input: "https://a.example/x/../y/./z", serialized: "https://a.example/y/z", origin: "https://a.example"),
        ParseCase(input: "api.example/x", serialized: nil, origin: nil),
        ParseCase(input: "https://a.example:99999/", serialized: nil, origin: nil),
        ParseCase(input: "https://", serialized: nil, origin: nil),
    ]

    @Test(arguments: parseCases)
    func parse(_ testCase: ParseCase) {
        let url = BrowserURL(testCase.input)
        #expect(url?.description == testCase.serialized)
        #expect(url?.origin == testCase.origin)
    }

    struct ResolveCase: Sendable, CustomStringConvertible {
        let base: String
        let location: String
        let resolved: String?
        var description: String { "\(base) + \(location)" }
    }

    static let resolveCases: [ResolveCase] = [
        ResolveCase(base: "https://a.example/x/y", location: "https://b.example/z", resolved: "https://b.example/z"),
        ResolveCase(base: "https://a.example/x/y", location: "//b.example/z", resolved: "https://b.example/z"),
        ResolveCase(base: "https://a.example/x/y", location: "/z?q=1", resolved: "https://a.example/z?q=1"),
        ResolveCase(base: "https://a.example/x/y", location: "z", resolved: "https://a.example/x/z"),
        ResolveCase(base: "https://a.example/x/y", location: "../z", resolved: "https://a.example/z"),
        ResolveCase(base: "https://a.example/x/y?old", location: "?new", resolved: "https://a.example/x/y?new"),
        ResolveCase(base: "https://a.example/x/y", location: "\\\\b.example\\z", resolved: "https://b.example/z"),
        ResolveCase(
            base: "https://a.example/x", location: "http://a.example:8080/", resolved: "http://a.example:8080/"),
        ResolveCase(base: "https://a.example/x", location: "https:/other", resolved: "https://a.example/other"),
        ResolveCase(base: "https://a.example/x", location: "ftp://files.example/f", resolved: "ftp://files.example/f"),
    ]

    @Test(arguments: resolveCases)
    func resolve(_ testCase: ResolveCase) throws {
        let base = try #require(BrowserURL(testCase.base))
        #expect(base.resolving(testCase.location)?.description == testCase.resolved)
    }
}
