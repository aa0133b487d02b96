import CORSBrowser
import Testing

@Suite struct MaxAgeClampTests {
    struct Case: Sendable, CustomStringConvertible {
        let maxAge: String?
        let chromium: Int
        let firefox: Int
        let webKit: Int
        var description: String { maxAge ?? "absent" }
    }

    static let cases: [Case] = [
        Case(maxAge: nil, chromium: 5, firefox: 5, webKit: 5),
        Case(maxAge: "0", chromium: 0, firefox: 0, webKit: 0),
        Case(maxAge: "600", chromium: 600, firefox: 600, webKit: 600),
        Case(maxAge: "601", chromium: 601, firefox: 601, webKit: 600),
        Case(maxAge: "7200", chromium: 7200, firefox: 7200, webKit: 600),
        Case(maxAge: "7201", chromium: 7200, firefox: 7201, webKit: 600),
        Case(maxAge: "86400", chromium: 7200, firefox: 86400, webKit: 600),
        Case(maxAge: "999999999999", chromium: 7200, firefox: 86400, webKit: 5),
        Case(maxAge: "-1", chromium: 0, firefox: 0, webKit: 5),
        Case(maxAge: "abc", chromium: 5, firefox: 0, webKit: 5),
        Case(maxAge: "", chromium: 5, firefox: 5, webKit: 5),
        Case(maxAge: "60, 60", chromium: 5, firefox: 0, webKit: 5),
    ]

    @Test(arguments: cases)
    func lifetimes(_ testCase: Case) {
        let lifetimes = PreflightCacheLifetimes(maxAge: testCase.maxAge)
        #expect(lifetimes.chromium == testCase.chromium)
        #expect(lifetimes.firefox == testCase.firefox)
        #expect(lifetimes.webKit == testCase.webKit)
    }

    @Test(arguments: [
        ("90000", "exceeds every browser's cap"), ("8000", "capped to 7200"), ("-5", "negative"),
        ("1h", "not a number"),
    ])
    func warnings(_ maxAge: String, _ fragment: String) {
        #expect(PreflightCacheLifetimes.warnings(maxAge: maxAge).contains { $0.contains(fragment) })
    }

    @Test func noWarningForSensibleValues() {
        #expect(PreflightCacheLifetimes.warnings(maxAge: "600").isEmpty)
        #expect(PreflightCacheLifetimes.warnings(maxAge: nil).isEmpty)
    }
}
