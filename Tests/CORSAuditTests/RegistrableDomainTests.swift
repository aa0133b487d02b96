import CORS
import Testing

@Suite struct RegistrableDomainTests {
    static let cases: [(host: String, domain: String)] = [
        ("example.com", "example.com"),
        ("api.example.com", "example.com"),
        ("a.b.c.example.com", "example.com"),
        ("www.example.co.uk", "example.co.uk"),
        ("alice.github.io", "alice.github.io"),
        ("x.alice.github.io", "alice.github.io"),
        // The whole Public Suffix List, not a handful of suffixes.
        ("shop.com.de", "shop.com.de"),
        ("www.shop.com.de", "shop.com.de"),
        ("a.school.pvt.k12.ma.us", "school.pvt.k12.ma.us"),
        ("com.de", "com.de"),
        ("API.Example.COM", "example.com"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "[::1]"),
        ("localhost", "localhost"),
    ]

    @Test(arguments: cases)
    func domain(_ testCase: (host: String, domain: String)) {
        #expect(RegistrableDomain.of(testCase.host) == testCase.domain)
    }

    @Test func sameSite() {
        #expect(RegistrableDomain.same("example.com", "www.example.com"))
        #expect(!RegistrableDomain.same("example.com", "example.org"))
        #expect(!RegistrableDomain.same("alice.github.io", "bob.github.io"))
        #expect(!RegistrableDomain.same("127.0.0.1", "127.0.0.2"))
    }
}
