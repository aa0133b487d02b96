import CORS
import HTTPTypes
import Testing

/// A request whose refusal is logged: the log text must quote the value escaped.
struct DescriptionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let method: String
    let headers: [Header]
    let reason: CORSRejection.Reason
    /// The description must contain this (escaped) text.
    let shows: String

    init(_ name: String, _ method: String, _ headers: [Header], _ reason: CORSRejection.Reason, shows: String) {
        self.name = name
        self.method = method
        self.headers = headers
        self.reason = reason
        self.shows = shows
    }

    var testDescription: String { name }
}

@Suite struct RejectionDescriptionTests {
    static let table: [DescriptionCase] = [
        DescriptionCase(
            "ANSI escape in the origin", "GET", [origin("https://evil.example\u{1B}[31m")], .malformedOrigin,
            shows: #"'https://evil.example\x1B[31m'"#),
        DescriptionCase(
            "non-ASCII host", "GET", [origin("https://bücher.example")], .malformedOrigin,
            shows: #"'https://b\xC3\xBCcher.example'"#),
        DescriptionCase(
            "a quote cannot close the quoted value", "GET", [origin("https://x.example' forged='1")], .malformedOrigin,
            shows: #"'https://x.example\x27 forged=\x271'"#),
        DescriptionCase(
            "a backslash is escaped", "GET", [origin("https://x.example\\x41")], .malformedOrigin,
            shows: #"'https://x.example\x5Cx41'"#),
        DescriptionCase(
            "refused origin quoted", "GET", [origin("https://evil.example")], .originNotAllowed,
            shows: "origin 'https://evil.example' is not allowed"),
        DescriptionCase(
            "control byte in the method", "OPTIONS", [origin("https://a.com"), acrm("PU\u{07}T")],
            .malformedRequestMethod, shows: #"'PU\x07T'"#),
        DescriptionCase(
            "non-ASCII method", "OPTIONS", [origin("https://a.com"), acrm("PÜT")], .malformedRequestMethod,
            shows: #"'P\xC3\x9CT'"#),
        DescriptionCase(
            "refused method quoted", "OPTIONS", [origin("https://a.com"), acrm("DELETE")], .methodNotAllowed,
            shows: "method 'DELETE'"),
        DescriptionCase(
            "DEL byte in a request header name", "OPTIONS",
            [origin("https://a.com"), acrm("PUT"), acrh("x-\u{7F}")], .malformedRequestHeaders, shows: #"'x-\x7F'"#),
        DescriptionCase(
            "non-ASCII request header name", "OPTIONS", [origin("https://a.com"), acrm("PUT"), acrh("x-ü")],
            .malformedRequestHeaders, shows: #"'x-\xC3\xBC'"#),
        DescriptionCase(
            "refused header quoted", "OPTIONS", [origin("https://a.com"), acrm("PUT"), acrh("x-secret")],
            .headerNotAllowed, shows: "request header 'x-secret'"),
    ]

    @Test(arguments: table)
    func escapes(_ c: DescriptionCase) async throws {
        let policy = try CORSPolicy(example)
        let served = await serve(policy, method: c.method, path: "/", headers: c.headers)
        let rejection = try #require(served.decision.rejection)
        #expect(rejection.reason == c.reason)
        let text = rejection.description
        #expect(text.contains(c.shows), "\(text)")
        #expect(text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(text)")
    }

    @Test func longValuesAreCut() {
        let rejection = CORSRejection(
            .originNotAllowed, value: Substring("https://" + String(repeating: "a", count: 5000)))
        let text = rejection.description
        #expect(text.utf8.count < 250)
        #expect(text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(text)")
    }

    @Test func everyReasonHasADescription() {
        let reasons: [CORSRejection.Reason] = [
            .originNotAllowed, .nullOriginNotAllowed, .malformedOrigin, .multipleOriginHeaders, .methodNotAllowed,
            .malformedRequestMethod, .headerNotAllowed, .authorizationNotCoveredByWildcard, .malformedRequestHeaders,
            .tooManyEmptyRequestHeaderItems, .requestHeadersTooLong,
        ]
        for reason in reasons {
            let text = CORSRejection(reason, value: "\u{0}\r\n\u{1B}é").description
            #expect(!text.isEmpty)
            #expect(text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(reason): \(text)")
        }
    }
}
