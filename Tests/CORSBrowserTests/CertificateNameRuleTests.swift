import CORSBrowser
import Testing

/// Which certificate names cover which hosts (browsers' rules, stricter than NIOSSL's).
struct CertificateNameRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let host: String
        let matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "covers" : "does not cover") \(host)" }
    }

    static let cases: [Case] = [
        Case(pattern: "example.com", host: "example.com", matches: true),
        Case(pattern: "Example.COM", host: "example.com", matches: true),
        Case(pattern: "example.com.", host: "example.com", matches: true),
        Case(pattern: "example.com", host: "example.com.", matches: true),
        Case(pattern: "example.com", host: "www.example.com", matches: false),
        Case(pattern: "*.example.com", host: "www.example.com", matches: true),
        Case(pattern: "*.EXAMPLE.com", host: "api.Example.com", matches: true),
        // The wildcard is one whole label: not zero, not two.
        Case(pattern: "*.example.com", host: "example.com", matches: false),
        Case(pattern: "*.example.com", host: "a.b.example.com", matches: false),
        Case(pattern: "*.example.com", host: ".example.com", matches: false),
        // Partial and misplaced wildcards, and wildcards over a single label: never.
        Case(pattern: "w*.example.com", host: "www.example.com", matches: false),
        Case(pattern: "*w.example.com", host: "www.example.com", matches: false),
        Case(pattern: "www.*.com", host: "www.example.com", matches: false),
        Case(pattern: "*.*.com", host: "www.example.com", matches: false),
        Case(pattern: "*.com", host: "example.com", matches: false),
        Case(pattern: "*", host: "localhost", matches: false),
        Case(pattern: "", host: "example.com", matches: false),
        Case(pattern: "example.com", host: "", matches: false),
        Case(pattern: "*.example.com", host: "www.example.org", matches: false),
        // An address written as a DNS name covers nothing but that text.
        Case(pattern: "127.0.0.1", host: "secure.test", matches: false),
        Case(pattern: "*.example.com.", host: "www.example.com", matches: true),
        Case(pattern: "*.example.com", host: "www.example.com.", matches: true),
        Case(pattern: "*.", host: "example.com", matches: false),
        // Empty labels cover nothing, not even the same text.
        Case(pattern: "*..com", host: "a..com", matches: false),
        Case(pattern: "example..com", host: "example..com", matches: false),
        Case(pattern: "example.com..", host: "example.com.", matches: false),
        // Bytes no host name has: a prepended Arabic sign would fold with the dot into one Character.
        Case(pattern: "example.com\u{0600}.", host: "example.com", matches: false),
        Case(pattern: "exa mple.com", host: "exa mple.com", matches: false),
        Case(pattern: "example.com\u{0}", host: "example.com", matches: false),
        Case(pattern: "xn--bcher-kva.example", host: "XN--BCHER-KVA.example", matches: true),
        // Not over an ICANN public suffix (the Public Suffix List), which no CA may issue; a
        // private-section suffix's owner holds its wildcard certificate.
        Case(pattern: "*.co.uk", host: "example.co.uk", matches: false),
        Case(pattern: "*.CO.UK", host: "example.co.uk", matches: false),
        Case(pattern: "*.pvt.k12.ma.us", host: "school.pvt.k12.ma.us", matches: false),
        Case(pattern: "*.x.kawasaki.jp", host: "a.x.kawasaki.jp", matches: false),
        Case(pattern: "*.city.kawasaki.jp", host: "www.city.kawasaki.jp", matches: true),
        Case(pattern: "*.github.io", host: "alice.github.io", matches: true),
        Case(pattern: "*.example.co.uk", host: "www.example.co.uk", matches: true),
    ]

    @Test func plainHostNamesAreThoseTheRuleJudges() {
        for name in ["api.example.com", "localhost", "a_b.test", "example.com."] {
            #expect(CertificateNameRule.isPlainHostName(name), "\(name)")
        }
        for name in ["[::1]", "bücher.example", "a..b", "", "%61.example", "a b"] {
            #expect(!CertificateNameRule.isPlainHostName(name), "\(name)")
        }
    }

    @Test(arguments: cases) func aCertificateNameCoversAHost(_ check: Case) {
        #expect(CertificateNameRule.matches(pattern: check.pattern, host: check.host) == check.matches)
    }
}
