import CORSBrowser
import Testing

@Suite struct ForbiddenRequestHeaderTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let value: String
        let forbidden: Bool
        var description: String { "\(name): \(value) → \(forbidden)" }
    }

    static let cases: [Case] = [
        Case(name: "Cookie", value: "a=b", forbidden: true),
        Case(name: "cookie2", value: "x", forbidden: true),
        Case(name: "Origin", value: "https://evil.example", forbidden: true),
        Case(name: "Host", value: "x", forbidden: true),
        Case(name: "Referer", value: "x", forbidden: true),
        Case(name: "Content-Length", value: "3", forbidden: true),
        Case(name: "Access-Control-Request-Headers", value: "x", forbidden: true),
        Case(name: "DNT", value: "1", forbidden: true),
        Case(name: "Keep-Alive", value: "1", forbidden: true),
        Case(name: "Proxy-Authorization", value: "x", forbidden: true),
        Case(name: "proxy-anything", value: "x", forbidden: true),
        Case(name: "Sec-Fetch-Site", value: "x", forbidden: true),
        Case(name: "sec-custom", value: "x", forbidden: true),
        Case(name: "X-HTTP-Method-Override", value: "TRACE", forbidden: true),
        Case(name: "X-HTTP-Method", value: "get, connect", forbidden: true),
        Case(name: "X-Method-Override", value: "track", forbidden: true),
        Case(name: "X-HTTP-Method-Override", value: "PATCH", forbidden: false),
        Case(name: "User-Agent", value: "x", forbidden: false),
        Case(name: "Authorization", value: "Bearer x", forbidden: false),
        Case(name: "X-Proxy", value: "x", forbidden: false),
    ]

    @Test(arguments: cases)
    func forbidden(_ testCase: Case) {
        #expect(ForbiddenRequestHeader.isForbidden(name: testCase.name, value: testCase.value) == testCase.forbidden)
    }

    @Test func droppedHeadersAreReportedAndNotSent() throws {
        let analysis = try RequestAnalysis(
            method: "GET",
            headers: [RequestHeader("Cookie", "a=b"), RequestHeader("X-Custom", "1")]
        )
        #expect(analysis.droppedHeaders == [RequestHeader("Cookie", "a=b")])
        #expect(analysis.headers == [RequestHeader("X-Custom", "1")])
        #expect(analysis.unsafeHeaderNames == ["x-custom"])
        #expect(analysis.notes.contains { $0.contains("'Cookie'") && $0.contains("drops it") })
    }
}
