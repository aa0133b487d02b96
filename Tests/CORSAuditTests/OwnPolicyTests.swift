import CORS
import CORSAudit
import CORSCheck
import CORSHummingbird
import Hummingbird
import HummingbirdTesting
import Testing

/// Our own middleware must pass its own audit: nothing of medium or higher severity.
@Suite struct OwnPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var configuration: CORSConfiguration
        var trustedOrigin: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "strict policy with credentials",
            configuration: CORSConfiguration(
                origins: [
                    "https://app.example.com", "https://*.example.org", #"regex:^https://pr-[0-9]+\.example\.net$"#,
                ],
                methods: ["GET", "POST", "PUT", "DELETE"], allowedHeaders: ["Content-Type", "Authorization"],
                exposedHeaders: ["X-Total-Count"], credentials: true, maxAge: 600),
            trustedOrigin: "https://app.example.com"),
        Case(name: "development default", configuration: .development, trustedOrigin: nil),
        Case(
            name: "development default probed as localhost:3000", configuration: .development,
            trustedOrigin: "http://localhost:3000"),
    ]

    @Test(arguments: cases)
    func findsNothingSerious(_ testCase: Case) async throws {
        let router = Router()
        router.add(middleware: try CORSHummingbirdMiddleware(testCase.configuration))
        router.get("/api/me") { _, _ in #"{"user": "alice"}"# }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let report = try await app.test(.live) { client in
            let options = AuditOptions(
                url: "http://127.0.0.1:\(client.port ?? 0)/api/me", trustedOrigin: testCase.trustedOrigin,
                paths: ["/other"], headerFields: [.cookie: "session=abc"], budget: 200, rate: nil)
            return try await CORSHTTPClient.withClient { try await Auditor(options: options, transport: $0).run() }
        }
        #expect(report.findings.filter { $0.severity >= .medium }.isEmpty, "\(report.text)")
        #expect(report.findings.isEmpty, "\(report.text)")
        #expect(report.errors.isEmpty)
        #expect(report.exitCode == 0)
        #expect(report.probesSkipped == 0)
    }
}
