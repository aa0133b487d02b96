import CORSAudit
import CORSCheck
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// One deliberately wrong CORS setup per misconfiguration class, served live on loopback and
/// audited as `cors audit URL --trusted-origin https://app.example.com` would.
@Suite struct MisconfigurationTests {
    static let trusted = "https://app.example.com"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var fixture: MisconfiguredCORS<BasicRequestContext>
        /// Every finding expected, with its severity.
        var expected: [String: AuditSeverity]
        /// The probe origin expected on the first id's finding, when it matters.
        var origin: String? = nil
        /// How the first id's finding should have shown.
        var seenIn: [AuditExchange.Kind] = [.get, .preflight]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "reflects any origin with credentials",
            fixture: MisconfiguredCORS(trusts: { _ in true }),
            expected: ["reflect-any-origin": .high, "null-origin": .high], origin: "https://evil.example"),
        Case(
            name: "reflects any origin without credentials",
            fixture: MisconfiguredCORS(trusts: { _ in true }, credentials: false),
            expected: ["reflect-any-origin": .medium, "null-origin": .medium]),
        Case(
            name: "reflects any origin on preflights only",
            fixture: MisconfiguredCORS(trusts: { $0 == trusted }, looseOnPreflight: true),
            expected: ["reflect-any-origin": .high, "null-origin": .high], seenIn: [.preflight]),
        Case(
            name: "accepts null",
            fixture: MisconfiguredCORS(trusts: { $0 == trusted || $0 == "null" }),
            expected: ["null-origin": .high], origin: "null"),
        Case(
            name: "accepts null without credentials",
            fixture: MisconfiguredCORS(trusts: { $0 == trusted || $0 == "null" }, credentials: false),
            expected: ["null-origin": .medium]),
        Case(
            name: "prefix match (hasPrefix)",
            fixture: MisconfiguredCORS(trusts: { $0.hasPrefix(trusted) }),
            expected: ["prefix-match": .high], origin: "https://app.example.com.evil.example"),
        Case(
            name: "suffix match without a dot (hasSuffix)",
            // It also takes `appxexample.com`, the unescaped-dot probe: both are real.
            fixture: MisconfiguredCORS(trusts: { $0.hasPrefix("https://") && $0.hasSuffix("example.com") }),
            expected: ["suffix-match": .high, "unescaped-dot": .high], origin: "https://evilexample.com"),
        Case(
            // Found by black-box testing: `*.example.com` was reported as suffix and substring matches.
            name: "subdomains on a dot boundary are any-subdomain, not a suffix match",
            fixture: MisconfiguredCORS(trusts: {
                $0 == trusted || $0.hasPrefix("https://") && $0.hasSuffix(".example.com")
            }),
            expected: ["any-subdomain": .low], origin: "https://evil.app.example.com"),
        Case(
            name: "regex with unescaped dots",
            fixture: MisconfiguredCORS(trusts: { (try? #/https://app.example.com/#.wholeMatch(in: $0)) != nil }),
            expected: ["unescaped-dot": .high], origin: "https://appxexample.com"),
        Case(
            name: "substring match (contains)",
            fixture: MisconfiguredCORS(trusts: { $0.hasPrefix("https://") && trusted.contains(host(of: $0)) }),
            expected: ["substring-match": .high], origin: "https://xample.com"),
        Case(
            name: "special character after the host",
            fixture: MisconfiguredCORS(trusts: {
                (try? #/https://app\.example\.com([^.].*)?/#.wholeMatch(in: $0)) != nil
            }),
            expected: ["special-chars": .high], origin: "https://app.example.com_.evil.example"),
        Case(
            name: "any subdomain, with credentials",
            fixture: MisconfiguredCORS(trusts: {
                $0 == trusted || $0.hasPrefix("https://") && $0.hasSuffix(".app.example.com")
            }),
            expected: ["any-subdomain": .low], origin: "https://evil.app.example.com"),
        Case(
            name: "http origin trusted by an https site",
            fixture: MisconfiguredCORS(trusts: { $0 == trusted || $0 == "http://app.example.com" }),
            expected: ["http-origin-trusted": .high], origin: "http://app.example.com"),
        Case(
            name: "trusts *.github.io",
            fixture: MisconfiguredCORS(trusts: {
                $0 == trusted || $0.hasPrefix("https://") && $0.hasSuffix(".github.io")
            }),
            expected: ["third-party-origin": .high], origin: "https://evil.github.io"),
        Case(
            name: "trusts codepen.io without credentials",
            fixture: MisconfiguredCORS(trusts: { $0 == trusted || $0 == "https://codepen.io" }, credentials: false),
            expected: ["third-party-origin": .medium], origin: "https://codepen.io"),
        Case(
            name: "* on a cookie-setting resource",
            fixture: MisconfiguredCORS(trusts: { _ in false }, credentials: false, wildcard: true, setCookie: true),
            expected: ["wildcard-private": .medium], origin: trusted),
        Case(
            name: "* with credentials: true",
            fixture: MisconfiguredCORS(trusts: { _ in false }, wildcard: true),
            // 127.0.0.1 is a loopback address, so `*` there is also wildcard-private.
            expected: ["wildcard-with-credentials": .low, "wildcard-private": .medium]),
        Case(
            name: "dynamic origin without Vary",
            fixture: MisconfiguredCORS(trusts: { $0 == trusted }, vary: false),
            expected: ["missing-vary": .medium], origin: trusted, seenIn: [.get]),
        Case(
            name: "reflection without Vary",
            fixture: MisconfiguredCORS(trusts: { _ in true }, vary: false),
            expected: ["reflect-any-origin": .high, "null-origin": .high, "missing-vary": .medium]),
    ]

    @Test(arguments: cases)
    func detects(_ testCase: Case) async throws {
        let router = Router()
        router.add(middleware: testCase.fixture)
        router.get("/api/me") { _, _ in #"{"user": "alice"}"# }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let report = try await app.test(.live) { client in
            let options = AuditOptions(
                url: "http://127.0.0.1:\(client.port ?? 0)/api/me", trustedOrigin: Self.trusted, rate: nil)
            return try await CORSHTTPClient.withClient { try await Auditor(options: options, transport: $0).run() }
        }
        let found = Dictionary(report.findings.map { ($0.id.rawValue, $0.severity) }, uniquingKeysWith: max)
        #expect(found == testCase.expected, "\(report.text)")
        #expect(report.errors.isEmpty)
        #expect(report.requestsSent <= 60)
        #expect(report.exitCode == (testCase.expected.values.contains { $0 >= .medium } ? 1 : 0))
        let first = testCase.expected.keys.sorted().first { testCase.expected.count == 1 || $0 == "reflect-any-origin" }
        if let first, let finding = report.findings.first(where: { $0.id.rawValue == first }) {
            if let origin = testCase.origin { #expect(finding.origin == origin) }
            if first != "wildcard-private" { #expect(finding.seenIn == testCase.seenIn) }
            #expect(finding.evidence.request.headerFields[.origin] == finding.origin)
            #expect(!finding.rule.isEmpty && finding.policy.contains("origins"))
        }
    }
}
