import CORS
import HTTPTypes
import Testing

/// The WebSocket rule read from a decision (`CORSDecision.webSocketRefusal`) is the rule of
/// `CORSPolicy.webSocketVerdict`: one table for both.
@Suite struct WebSocketRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var configuration: CORSConfiguration
        var path: String = "/ws"
        var origin: String?
        var refusal: CORSRejection.Reason?
        var testDescription: String { name }
    }

    static let app = CORSConfiguration(origins: ["https://app.example.com"])
    static let any = CORSConfiguration(origins: ["*"])

    static let cases = [
        Case(name: "no Origin (not a browser)", configuration: app, origin: nil, refusal: nil),
        Case(name: "an allowed origin", configuration: app, origin: "https://app.example.com", refusal: nil),
        Case(name: "a refused origin", configuration: app, origin: "https://evil.example", refusal: .originNotAllowed),
        Case(name: "null under *", configuration: any, origin: "null", refusal: .nullOriginNotAllowed),
        Case(
            name: "null with allowNullOrigin",
            configuration: CORSConfiguration(origins: ["https://app.example.com"], allowNullOrigin: true),
            origin: "null", refusal: nil),
        Case(name: "any origin under *", configuration: any, origin: "https://evil.example", refusal: nil),
        Case(
            name: "a path servers read differently, without Origin",
            configuration: CORSConfiguration(
                origins: ["https://app.example.com"], routes: [CORSRouteConfiguration(path: "/admin/**")]),
            path: "/admin%2Fws", origin: nil, refusal: .ambiguousPath),
    ]

    @Test(arguments: cases)
    func theDecisionAndTheVerdictAgree(_ testCase: Case) throws {
        let policy = try CORSPolicy(testCase.configuration)
        var fields: HTTPFields = [.upgrade: "websocket", .connection: "Upgrade"]
        if let origin = testCase.origin { fields[.origin] = origin }
        guard case .decided(let decision) = policy.evaluate(method: .get, path: testCase.path, headerFields: fields)
        else {
            Issue.record("no predicate here: the policy decides")
            return
        }
        #expect(decision.webSocketRefusal?.reason == testCase.refusal)
        switch policy.webSocketVerdict(path: testCase.path, headerFields: fields) {
        case .allowed: #expect(testCase.refusal == nil)
        case .refused(let rejection): #expect(rejection.reason == testCase.refusal)
        case .needsOriginPredicate: Issue.record("no predicate here")
        }
    }
}
