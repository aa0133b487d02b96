import CORSBrowser
import HTTPTypes
import Testing

@Suite struct ExposedHeadersTests {
    struct Case: Sendable, CustomStringConvertible {
        let label: String
        let headers: [(String, String)]
        let credentials: Bool
        let readable: [String]
        var description: String { label }
    }

    static let base: [(String, String)] = [
        ("Content-Type", "application/json"), ("Content-Length", "2"), ("X-Total-Count", "3"),
        ("Set-Cookie", "a=b"), ("ETag", "\"1\""),
    ]

    static let cases: [Case] = [
        Case(
            label: "safelisted only", headers: base, credentials: false, readable: ["content-length", "content-type"]),
        Case(
            label: "listed name, any case",
            headers: base + [("Access-Control-Expose-Headers", "x-TOTAL-count")],
            credentials: false,
            readable: ["content-length", "content-type", "x-total-count"]
        ),
        Case(
            label: "wildcard without credentials, never Set-Cookie",
            headers: base + [("Access-Control-Expose-Headers", "*")],
            credentials: false,
            readable: ["access-control-expose-headers", "content-length", "content-type", "etag", "x-total-count"]
        ),
        Case(
            label: "wildcard with credentials is literal",
            headers: base + [("Access-Control-Expose-Headers", "*")],
            credentials: true,
            readable: ["content-length", "content-type"]
        ),
        Case(
            label: "Set-Cookie listed is still hidden",
            headers: base + [("Access-Control-Expose-Headers", "Set-Cookie, ETag")],
            credentials: true,
            readable: ["content-length", "content-type", "etag"]
        ),
        Case(
            label: "unparsable list exposes nothing extra",
            headers: base + [("Access-Control-Expose-Headers", "ETag X-Total-Count")],
            credentials: false,
            readable: ["content-length", "content-type"]
        ),
    ]

    @Test(arguments: cases)
    func readable(_ testCase: Case) {
        #expect(
            ExposedHeaders.readable(in: fields(testCase.headers), credentials: testCase.credentials)
                == testCase.readable)
    }

    @Test func sameOriginSeesAllButSetCookie() {
        #expect(
            ExposedHeaders.readableSameOrigin(in: fields(Self.base))
                == ["content-length", "content-type", "etag", "x-total-count"]
        )
    }
}
