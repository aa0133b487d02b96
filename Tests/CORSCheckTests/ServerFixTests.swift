import CORSBrowser
import CORSCheck
import HTTPTypes
import Testing

/// The fix for a blocked verdict: headers and snippets, without the network.
@Suite struct ServerFixTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var request: BrowserRequest
        var responses: [BrowserResponse]
        /// `key: substring` the snippets must contain.
        var snippets: [String: [String]]
        var note: String? = nil
        var testDescription: String { label }
    }

    static let url = "https://api.example.com/items"
    static let origin = "https://app.example.com"

    static func response(_ status: Int, _ pairs: [(String, String)] = []) -> BrowserResponse {
        var fields = HTTPFields()
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return BrowserResponse(status: status, headerFields: fields)
    }

    static let cases: [Case] = [
        Case(
            label: "missing ACAO on a simple GET",
            request: BrowserRequest(url: url, origin: origin),
            responses: [response(200)],
            snippets: [
                "policy": ["\"origins\": [\"\(origin)\"]"],
                "hummingbird": ["origins: [\"\(origin)\"]"],
                "vapor": ["allowedOrigin: .custom(\"\(origin)\")", "allowedMethods: [.GET, .HEAD, .POST]"],
                "express": ["origin: '\(origin)'"],
                "nginx": [
                    "add_header Access-Control-Allow-Origin \"\(origin)\" always;", "add_header Vary \"Origin\"",
                ],
            ]
        ),
        Case(
            label: "lowercase patch refused",
            request: BrowserRequest(url: url, origin: origin, method: "patch"),
            responses: [
                response(204, [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Methods", "PATCH")])
            ],
            snippets: [
                "policy": ["\"methods\": [\"GET\", \"HEAD\", \"POST\", \"patch\"]"],
                "vapor": [".RAW(value: \"patch\")"],
                "express": ["methods: ['GET', 'HEAD', 'POST', 'patch']"],
                "nginx": ["if ($request_method = OPTIONS) {", "Access-Control-Allow-Methods \"patch\"", "return 204;"],
            ]
        ),
        Case(
            label: "credentials and a custom header",
            request: BrowserRequest(
                url: url, origin: origin, method: "PUT", headers: [RequestHeader("X-Trace", "1")], credentials: true),
            responses: [response(403)],
            snippets: [
                "policy": ["\"allowedHeaders\": [\"x-trace\"]", "\"credentials\": true"],
                "hummingbird": ["allowedHeaders: [\"x-trace\"]", "credentials: true"],
                "vapor": ["allowedHeaders: [.accept, .contentType, .origin, \"x-trace\"]", "allowCredentials: true"],
                "express": ["allowedHeaders: ['x-trace']", "credentials: true"],
                "nginx": [
                    "Access-Control-Allow-Credentials \"true\" always;", "Access-Control-Allow-Headers \"x-trace\"",
                ],
            ]
        ),
        Case(
            label: "preflight redirected",
            request: BrowserRequest(url: url, origin: origin, method: "DELETE"),
            responses: [response(301, [("Location", "https://api.example.com/items/")])],
            snippets: ["policy": ["\"methods\": [\"GET\", \"HEAD\", \"POST\", \"DELETE\"]"]],
            note: "Do not redirect OPTIONS"
        ),
    ]

    @Test(arguments: cases)
    func snippets(_ testCase: Case) throws {
        let verdict = BrowserExchange.evaluate(testCase.request) { outgoing in
            // One canned response per request, in order.
            let index = outgoing.kind == .preflight ? 0 : testCase.responses.count - 1
            return testCase.responses[index]
        }
        #expect(!verdict.allowed)
        let fix = try #require(ServerFix(request: testCase.request, verdict: verdict, exchanges: []))
        #expect(fix.snippets.map(\.key) == ["policy", "hummingbird", "vapor", "express", "nginx"])
        for (key, parts) in testCase.snippets {
            let code = try #require(fix.snippets.first { $0.key == key }?.code)
            for part in parts {
                #expect(code.contains(part), "\(key) lacks \(part):\n\(code)")
            }
        }
        if let note = testCase.note {
            #expect(fix.note?.contains(note) == true)
        }
    }

    @Test func noFixWhenAllowed() {
        let request = BrowserRequest(url: Self.url, origin: Self.origin)
        let verdict = BrowserExchange.evaluate(request) { _ in
            Self.response(200, [("Access-Control-Allow-Origin", "*")])
        }
        #expect(ServerFix(request: request, verdict: verdict, exchanges: []) == nil)
    }
}
