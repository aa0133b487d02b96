import Foundation
import HTTPTypes
import Testing

@testable import CORS

/// Known ReDoS shapes (OWASP's list, the regexes of published incidents, and the seed's
/// `(a+)+`), each refused by validation with the `*.` pattern as the fix.
private let redosCorpus: [String] = [
    #"^https://(a+)+\.example\.com$"#,
    #"^https://(a*)*\.example\.com$"#,
    #"^https://(a|a)*\.example\.com$"#,
    #"^https://(a|aa)+\.example\.com$"#,
    #"^https://(a|ab)*\.example\.com$"#,
    #"^https://([a-zA-Z]+)*\.example\.com$"#,
    #"^https://(([a-z])+.)+[a-z]([a-z])+$"#,
    #"^https://(\w+\d+)+\.example\.com$"#,
    #"^https://(x+x+)+y$"#,
    #"^https://(.*a){12}$"#,
    #"^https://(a?){25}a{25}$"#,
    #"^https://(\w+\s?)*$"#,
    #"^https://([a-z0-9-]+)*\.example\.com$"#,
    #"^https://([a-z0-9-]+\.?)+example\.com$"#,
    #"^https://([a-z0-9.-]+\.)*example\.com$"#,
    #"^https://.*.*.*\.example\.com$"#,
    #"^https://.*a.*a.*=.*$"#,
    #"^https://(?:[a-z]+|[a-z0-9]+)+\.example\.com$"#,
    #"^https://(a{1,5}){1,5}\.example\.com$"#,
]

/// Constructs no linear automaton can run: refused by the parser, named.
private let unsafeConstructs: [(regex: String, named: String)] = [
    (#"^https://(a)\1\.example\.com$"#, "backreference"),
    (#"^https://(?<x>a)\k<x>\.example\.com$"#, "backreference"),
    (#"^https://(?=a)a\.example\.com$"#, "lookaround"),
    (#"^https://(?!evil)[a-z]+\.example\.com$"#, "lookaround"),
    (#"^https://(?<=x)a\.example\.com$"#, "lookaround"),
    (#"^https://(?<!x)a\.example\.com$"#, "lookaround"),
    (#"^https://(?>a+)\.example\.com$"#, "atomic"),
    (#"^https://a++\.example\.com$"#, "possessive"),
]

/// Regexes people write for origins: accepted, and matched exactly as a backtracking engine
/// (Swift's `Regex`, whole match) matches them.
private let acceptedRegexes: [String] = [
    #"^https://([a-z0-9-]+\.)?example\.com$"#,
    #"^https://([a-z0-9-]+\.)*example\.com$"#,
    #"^https://pr-[0-9]+\.example\.net$"#,
    #"^https://(app|admin)\.example\.com(:[0-9]+)?$"#,
    #"^https?://localhost(:\d+)?$"#,
    #"^https://[a-z0-9-]+-preview\.example\.com$"#,
    #"^https://(?:www\.)?example\.(com|org)$"#,
    #"\Ahttps://(?<tenant>[a-z]{2,10})\.example\.com\z"#,
    #"^https://[^./:]+\.example\.com$"#,
    #"^https://[\w-]{1,63}\.example\.com:\d{2,5}$"#,
    #"https://a\.com|https://b\.com"#,
    #"^https://.*\.example\.com$"#,
    #"^https://[a-z]+[a-z0-9]*\.example\.com$"#,
    #"^https://x\x2dy\.example\.com$"#,
]

private let sampleOrigins: [String] = [
    "https://example.com", "https://www.example.com", "https://a.b.example.com", "https://evilexample.com",
    "https://example.com.evil.net", "https://pr-12.example.net", "https://pr-.example.net",
    "https://app.example.com", "https://admin.example.com:8443", "https://admin.example.com:",
    "http://localhost", "http://localhost:3000", "https://localhost:x", "https://x-preview.example.com",
    "https://example.org", "https://www.example.org", "https://abc.example.com", "https://a.com", "https://b.com",
    "https://a.comhttps://b.com", "https://a_b.example.com:443", "https://x-y.example.com", "https://x.y.example.com",
    "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.co", "", "https://", "https://.example.com",
]

@Suite struct OriginRegexTests {
    @Test(arguments: redosCorpus)
    func catastrophicShapeIsRefused(_ regex: String) {
        let (problems, _) = CORSPolicy.validate(CORSConfiguration(origins: ["regex:" + regex], credentials: true))
        let problem = problems.first { $0.field == "origins[0]" }
        #expect(problem?.why.contains("backtracking") == true, "\(problems)")
        #expect(problem?.fix.contains("'*.' pattern") == true)
    }

    @Test(arguments: unsafeConstructs)
    func constructWithoutLinearMatchingIsRefused(_ unsafe: (regex: String, named: String)) {
        let (problems, _) = CORSPolicy.validate(CORSConfiguration(origins: ["regex:" + unsafe.regex]))
        #expect(problems.count == 1)
        #expect(problems.first?.problem.contains(unsafe.named) == true, "\(problems)")
        #expect(problems.first?.why.contains("backtracking") == true)
    }

    @Test(arguments: acceptedRegexes)
    func commonRegexIsAcceptedAndMatchesAsBacktrackingEngines(_ source: String) throws {
        let ours = try OriginRegex(source)
        let reference = try Regex(source)
        for origin in sampleOrigins {
            let expected = (try? reference.wholeMatch(in: origin)) != nil
            #expect(ours.matchesWhole(origin) == expected, "\(source) on '\(origin)'")
        }
    }

    /// The seed's hostile origin against `(a+)+` run on the automaton itself (validation would
    /// refuse the regex): a backtracking engine takes 2^n steps here; this returns at once, and a
    /// regression to exponential time would hang the suite rather than pass.
    @Test func automatonIsLinearOnTheSeedReDoS() throws {
        let node = try OriginRegexParser.parse(#"^https://(a+)+\.example\.com$"#)
        let program = try OriginRegexProgram(node)
        for length in [17, 21, 64, 300] {
            var hostile = "https://" + String(repeating: "a", count: length) + ".example.co"
            #expect(hostile.withUTF8 { program.matchesWhole($0) } == false)
            var matching = "https://" + String(repeating: "a", count: length) + ".example.com"
            #expect(matching.withUTF8 { program.matchesWhole($0) } == true)
        }
    }

    @Test(arguments: [
        (#"^https://(a"#, "'(' is never closed"),
        (#"[a-"#, "'[' is never closed"),
        (#"^https://a)"#, "unmatched ')'"),
        (#"*a"#, "nothing to repeat"),
        (#"^https://a{3,1}$"#, "m smaller than n"),
        (#"^https://a{5000}$"#, "above 1000"),
        (#"^https://a\"#, "lone '\\'"),
        (#"^https://\p{L}+$"#, "not supported"),
        (#"^https://\bx$"#, "word boundaries"),
        (#"^https://(?i)x$"#, "not supported"),
        (#"^https://é\.com$"#, "punycode"),
        (String(repeating: "(", count: 40) + "a" + String(repeating: ")", count: 40), "nest deeper"),
        ("^" + String(repeating: "a{1000}b", count: 21), "too large"),
    ])
    func brokenRegexIsNamed(_ broken: (regex: String, message: String)) {
        let (problems, _) = CORSPolicy.validate(CORSConfiguration(origins: ["regex:" + broken.regex]))
        #expect(problems.count == 1)
        #expect(problems.first?.problem.contains(broken.message) == true, "\(problems)")
    }

    /// Origins longer than any a browser can send are refused before any matching.
    @Test func overlongOriginIsRefusedBeforeMatching() throws {
        let policy = try CORSPolicy(CORSConfiguration(origins: [#"regex:^https://([a-z0-9-]+\.)*example\.com$"#]))
        let longest = "https://" + String(repeating: "a", count: OriginSyntax.maximumLength - 19) + ".example.com"
        #expect(longest.utf8.count > OriginSyntax.maximumLength)
        func rejection(_ origin: String) -> CORSRejection? {
            guard
                case .decided(let decision) = policy.evaluate(method: .get, path: "/", headerFields: [.origin: origin])
            else { return nil }
            return decision.rejection
        }
        #expect(rejection(longest)?.reason == .malformedOrigin)
        let fits = "https://" + String(repeating: "a", count: 200) + ".example.com"
        #expect(rejection(fits) == nil)
    }

    @Test func overlongConfiguredOriginIsRefusedWithItsSize() {
        let huge = "https://" + String(repeating: "a", count: 5_000_000) + ".com"
        let (problems, _) = CORSPolicy.validate(CORSConfiguration(origins: [huge]))
        #expect(problems.count == 1)
        #expect(problems.first?.problem.contains("5000012 bytes") == true)
        #expect((problems.first?.description.utf8.count ?? .max) < 1000)
    }
}
