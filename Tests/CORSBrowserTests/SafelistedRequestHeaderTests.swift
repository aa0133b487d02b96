import CORSBrowser
import Testing

@Suite struct SafelistedRequestHeaderTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let value: String
        let safelisted: Bool
        var description: String { "\(name): \(value.prefix(40)) → \(safelisted)" }
    }

    static let cases: [Case] = [
        Case(name: "Accept", value: "application/json", safelisted: true),
        Case(name: "accept", value: "text/html, */*;q=0.8", safelisted: true),
        Case(name: "Accept", value: "application/json\"", safelisted: false),
        Case(name: "Accept", value: "a{b}", safelisted: false),
        Case(name: "Accept", value: "tab\tis-ok", safelisted: true),
        Case(name: "Accept", value: String(repeating: "a", count: 128), safelisted: true),
        Case(name: "Accept", value: String(repeating: "a", count: 129), safelisted: false),
        Case(name: "Accept-Language", value: "en-US,en;q=0.9", safelisted: true),
        Case(name: "Accept-Language", value: "en_US", safelisted: false),
        Case(name: "Content-Language", value: "de-DE, *", safelisted: true),
        Case(name: "Content-Language", value: "de/DE", safelisted: false),
        Case(name: "Content-Type", value: "text/plain", safelisted: true),
        Case(name: "Content-Type", value: "text/plain;garbage", safelisted: true),
        Case(name: "Content-Type", value: "text/plain; charset=utf-8", safelisted: true),
        Case(name: "Content-Type", value: "TEXT/PLAIN", safelisted: true),
        Case(name: "Content-Type", value: "application/x-www-form-urlencoded", safelisted: true),
        Case(name: "Content-Type", value: "multipart/form-data; boundary=x", safelisted: true),
        Case(name: "Content-Type", value: "application/json", safelisted: false),
        Case(name: "Content-Type", value: "text/plain; a=\"b\"", safelisted: false),
        Case(name: "Content-Type", value: "text/plain garbage", safelisted: false),
        Case(name: "Content-Type", value: "text/", safelisted: false),
        Case(name: "Content-Type", value: "text/plain;" + String(repeating: "a", count: 117), safelisted: true),
        Case(name: "Content-Type", value: "text/plain;" + String(repeating: "a", count: 118), safelisted: false),
        Case(name: "Range", value: "bytes=0-10", safelisted: true),
        Case(name: "Range", value: "bytes=5-", safelisted: true),
        Case(name: "Range", value: "bytes=10-10", safelisted: true),
        Case(name: "Range", value: "bytes=10-9", safelisted: false),
        Case(name: "Range", value: "bytes=-5", safelisted: false),
        Case(name: "Range", value: "bytes=0-1,3-4", safelisted: false),
        Case(name: "Range", value: "bytes = 0-1", safelisted: false),
        Case(name: "Range", value: "bytes=0 -1", safelisted: false),
        Case(name: "Range", value: "items=0-1", safelisted: false),
        Case(name: "Range", value: "bytes=99999999999999999999-100000000000000000000", safelisted: true),
        Case(name: "X-Requested-With", value: "XMLHttpRequest", safelisted: false),
        Case(name: "Authorization", value: "Bearer x", safelisted: false),
    ]

    @Test(arguments: cases)
    func safelisting(_ testCase: Case) {
        #expect(SafelistedRequestHeader.isSafelisted(name: testCase.name, value: testCase.value) == testCase.safelisted)
    }

    struct NamesCase: Sendable, CustomStringConvertible {
        let label: String
        let headers: [RequestHeader]
        let unsafe: [String]
        let acrh: String?
        var description: String { label }
    }

    static let namesCases: [NamesCase] = [
        NamesCase(label: "no headers", headers: [], unsafe: [], acrh: nil),
        NamesCase(
            label: "safelisted only",
            headers: [RequestHeader("Accept", "*/*"), RequestHeader("Content-Type", "text/plain")],
            unsafe: [],
            acrh: nil
        ),
        NamesCase(
            label: "sorted, lowercased, deduplicated",
            headers: [
                RequestHeader("X-B", "1"), RequestHeader("Content-Type", "application/json"),
                RequestHeader("x-a", "2"), RequestHeader("X-A", "3"),
            ],
            unsafe: ["content-type", "x-a", "x-b"],
            acrh: "content-type,x-a,x-b"
        ),
        NamesCase(
            label: "1024 bytes of safelisted values is fine",
            headers: [
                RequestHeader("Accept", String(repeating: "a", count: 128)),
                RequestHeader("Accept-Language", String(repeating: "b", count: 128)),
                RequestHeader("Content-Language", String(repeating: "c", count: 128)),
            ],
            unsafe: [],
            acrh: nil
        ),
        NamesCase(
            label: "over 1024 bytes makes all safelisted names unsafe",
            headers: (0..<9).map {
                RequestHeader(
                    ["Accept", "Accept-Language", "Content-Language"][$0 % 3], String(repeating: "a", count: 120))
            },
            unsafe: ["accept", "accept-language", "content-language"],
            acrh: "accept,accept-language,content-language"
        ),
    ]

    @Test(arguments: namesCases)
    func unsafeNamesAndRequestHeaders(_ testCase: NamesCase) {
        #expect(SafelistedRequestHeader.unsafeNames(in: testCase.headers) == testCase.unsafe)
        #expect(PreflightRequest.accessControlRequestHeaders(testCase.unsafe) == testCase.acrh)
    }

    @Test func repeatedHeadersCombineBeforeTheLengthLimit() throws {
        // Two 100-byte Accept values combine into one 202-byte value: no longer safelisted.
        let headers = [
            RequestHeader("Accept", String(repeating: "a", count: 100)),
            RequestHeader("accept", String(repeating: "b", count: 100)),
        ]
        let analysis = try RequestAnalysis(method: "GET", headers: headers)
        #expect(analysis.headers.count == 1)
        #expect(analysis.headers[0].value.utf8.count == 202)
        #expect(analysis.unsafeHeaderNames == ["accept"])
        #expect(analysis.needsPreflight)
    }
}
