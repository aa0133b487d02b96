import CORSBrowser
import Testing

@Suite struct CORSMethodTests {
    struct Case: Sendable, CustomStringConvertible {
        let method: String
        let normalized: String
        let safelisted: Bool
        let forbidden: Bool
        var description: String { method }
    }

    static let cases: [Case] = [
        Case(method: "get", normalized: "GET", safelisted: true, forbidden: false),
        Case(method: "Post", normalized: "POST", safelisted: true, forbidden: false),
        Case(method: "HEAD", normalized: "HEAD", safelisted: true, forbidden: false),
        Case(method: "put", normalized: "PUT", safelisted: false, forbidden: false),
        Case(method: "delete", normalized: "DELETE", safelisted: false, forbidden: false),
        Case(method: "options", normalized: "OPTIONS", safelisted: false, forbidden: false),
        Case(method: "patch", normalized: "patch", safelisted: false, forbidden: false),
        Case(method: "PATCH", normalized: "PATCH", safelisted: false, forbidden: false),
        Case(method: "connect", normalized: "connect", safelisted: false, forbidden: true),
        Case(method: "TRACE", normalized: "TRACE", safelisted: false, forbidden: true),
        Case(method: "Track", normalized: "Track", safelisted: false, forbidden: true),
    ]

    @Test(arguments: cases)
    func rules(_ testCase: Case) {
        #expect(CORSMethod.normalize(testCase.method) == testCase.normalized)
        #expect(CORSMethod.isSafelisted(testCase.normalized) == testCase.safelisted)
        #expect(CORSMethod.isForbidden(testCase.method) == testCase.forbidden)
    }

    @Test(arguments: ["CONNECT", "trace", "TRACK"])
    func forbiddenMethodIsATypeError(_ method: String) {
        let verdict = BrowserExchange(BrowserRequest(url: apiURL, origin: appOrigin, method: method)).verdict
        #expect(verdict?.allowed == false)
        #expect(verdict?.reason == nil)
        #expect(verdict?.requestError?.reason == "'\(method)' HTTP method is unsupported.")
        #expect(
            verdict?.message
                == "TypeError: Failed to execute 'fetch' on 'Window': '\(method)' HTTP method is unsupported.")
    }

    @Test func lowercasePatchIsNotedAndNeedsAPreflight() throws {
        let analysis = try RequestAnalysis(method: "patch", headers: [])
        #expect(analysis.method == "patch")
        #expect(analysis.needsPreflight)
        #expect(analysis.notes.contains { $0.contains("'PATCH' there does not allow 'patch'") })
    }
}
