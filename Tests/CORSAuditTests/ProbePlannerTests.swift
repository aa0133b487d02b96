import CORSAudit
import Testing

@Suite struct ProbePlannerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var site: String
        var id: String
        var origins: [String]
        var testDescription: String { "\(site) \(id)" }
    }

    static let cases: [Case] = [
        Case(site: "https://app.example.com", id: "reflect-any-origin", origins: ["https://evil.example"]),
        Case(site: "https://app.example.com", id: "null-origin", origins: ["null"]),
        Case(site: "https://app.example.com", id: "prefix-match", origins: ["https://app.example.com.evil.example"]),
        // Attacker-registrable names: on the registrable domain, not the subdomain's full name.
        Case(site: "https://app.example.com", id: "suffix-match", origins: ["https://evilexample.com"]),
        Case(site: "https://example.com", id: "suffix-match", origins: ["https://evilexample.com"]),
        Case(site: "https://api.shop.co.uk", id: "suffix-match", origins: ["https://evilshop.co.uk"]),
        Case(
            site: "https://www.example.com", id: "unescaped-dot",
            origins: ["https://wwwxexample.com", "https://www.examplexcom"]),
        Case(site: "https://example.com", id: "unescaped-dot", origins: ["https://examplexcom"]),
        Case(site: "http://localhost:8080", id: "unescaped-dot", origins: []),
        Case(site: "https://app.example.com", id: "substring-match", origins: ["https://xample.com"]),
        Case(site: "https://app.example.com", id: "any-subdomain", origins: ["https://evil.app.example.com"]),
        Case(site: "https://app.example.com", id: "http-origin-trusted", origins: ["http://app.example.com"]),
        Case(site: "http://app.example.com", id: "http-origin-trusted", origins: []),
        Case(
            site: "https://app.example.com", id: "third-party-origin",
            origins: [
                "https://evil.github.io", "https://codepen.io", "https://jsfiddle.net", "https://repl.it",
                "https://jsbin.com",
            ]),
        // HOST includes the port.
        Case(site: "http://127.0.0.1:8080", id: "prefix-match", origins: ["http://127.0.0.1:8080.evil.example"]),
        Case(site: "http://127.0.0.1:8080", id: "suffix-match", origins: ["http://evil127.0.0.1:8080"]),
        Case(
            site: "http://127.0.0.1:8080", id: "unescaped-dot",
            origins: ["http://127x0.0.1:8080", "http://127.0.0x1:8080"]),
        Case(site: "https://app.example.com:8443", id: "http-origin-trusted", origins: ["http://app.example.com:8443"]),
        // A URL's path is ignored; the default port is dropped.
        Case(site: "https://App.Example.com:443/x?y", id: "any-subdomain", origins: ["https://evil.app.example.com"]),
    ]

    @Test(arguments: cases)
    func probeOrigins(_ testCase: Case) throws {
        let site = try #require(SiteOrigin(testCase.site))
        let origins = ProbePlanner.probes(for: site).filter { $0.id.rawValue == testCase.id }.map(\.origin)
        #expect(origins == testCase.origins)
    }

    @Test func specialCharactersUnderscoreFirstAndAlwaysSent() throws {
        let site = try #require(SiteOrigin("https://app.example.com"))
        let special = ProbePlanner.probes(for: site).filter { $0.id == .specialChars }
        #expect(special.count == 20)
        #expect(special.first?.origin == "https://app.example.com_.evil.example")
        #expect(special.first?.optional == false)
        #expect(special.dropFirst().allSatisfy { $0.optional })
        #expect(special.map(\.origin).contains("https://app.example.com%60.evil.example"))
    }

    @Test func everyOriginClassHasAProbe() throws {
        let site = try #require(SiteOrigin("https://app.example.com"))
        let ids = Set(ProbePlanner.probes(for: site).map(\.id))
        let judgedOnResponses: Set<AuditFindingID> = [.wildcardPrivate, .wildcardWithCredentials, .missingVary]
        #expect(ids == Set(AuditFindingID.all).subtracting(judgedOnResponses))
    }
}
