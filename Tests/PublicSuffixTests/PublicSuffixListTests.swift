import Testing

@testable import PublicSuffix

/// The list's own test vectors (`tests/test_psl.txt`, as shipped in Debian's publicsuffix package examples):
/// `checkPublicSuffix(host, registrableDomain)`. The null-input case has no Swift equivalent; the Unicode IDN cases
/// are kept in their punycoded form only, since hosts are expected in ASCII.
private let officialVectors: [(host: String, registrable: String?)] = [
    // Mixed case.
    ("COM", nil),
    ("example.COM", "example.com"),
    ("WwW.example.COM", "example.com"),
    // Leading dot.
    (".com", nil),
    (".example", nil),
    (".example.com", nil),
    (".example.example", nil),
    // Unlisted TLD.
    ("example", nil),
    ("example.example", "example.example"),
    ("b.example.example", "example.example"),
    ("a.b.example.example", "example.example"),
    // TLD with only 1 rule.
    ("biz", nil),
    ("domain.biz", "domain.biz"),
    ("b.domain.biz", "domain.biz"),
    ("a.b.domain.biz", "domain.biz"),
    // TLD with some 2-level rules.
    ("com", nil),
    ("example.com", "example.com"),
    ("b.example.com", "example.com"),
    ("a.b.example.com", "example.com"),
    ("uk.com", nil),
    ("example.uk.com", "example.uk.com"),
    ("b.example.uk.com", "example.uk.com"),
    ("a.b.example.uk.com", "example.uk.com"),
    ("test.ac", "test.ac"),
    // TLD with only 1 (wildcard) rule.
    ("mm", nil),
    ("c.mm", nil),
    ("b.c.mm", "b.c.mm"),
    ("a.b.c.mm", "b.c.mm"),
    // More complex TLD.
    ("jp", nil),
    ("test.jp", "test.jp"),
    ("www.test.jp", "test.jp"),
    ("ac.jp", nil),
    ("test.ac.jp", "test.ac.jp"),
    ("www.test.ac.jp", "test.ac.jp"),
    ("kyoto.jp", nil),
    ("test.kyoto.jp", "test.kyoto.jp"),
    ("ide.kyoto.jp", nil),
    ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"),
    ("c.kobe.jp", nil),
    ("b.c.kobe.jp", "b.c.kobe.jp"),
    ("a.b.c.kobe.jp", "b.c.kobe.jp"),
    ("city.kobe.jp", "city.kobe.jp"),
    ("www.city.kobe.jp", "city.kobe.jp"),
    // TLD with a wildcard rule and exceptions.
    ("ck", nil),
    ("test.ck", nil),
    ("b.test.ck", "b.test.ck"),
    ("a.b.test.ck", "b.test.ck"),
    ("www.ck", "www.ck"),
    ("www.www.ck", "www.ck"),
    // US K12.
    ("us", nil),
    ("test.us", "test.us"),
    ("www.test.us", "test.us"),
    ("ak.us", nil),
    ("test.ak.us", "test.ak.us"),
    ("www.test.ak.us", "test.ak.us"),
    ("k12.ak.us", nil),
    ("test.k12.ak.us", "test.k12.ak.us"),
    ("www.test.k12.ak.us", "test.k12.ak.us"),
    // IDN labels, punycoded (食狮.com.cn, 食狮.公司.cn, 食狮.中国, ...).
    ("xn--85x722f.com.cn", "xn--85x722f.com.cn"),
    ("xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"),
    ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"),
    ("xn--55qx5d.cn", nil),
    ("xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s"),
    ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"),
    ("xn--fiqs8s", nil),
]

@Test(arguments: officialVectors)
func officialTestVector(host: String, registrable: String?) {
    #expect(PublicSuffixList.registrableDomain(of: host) == registrable)
}

/// Project cases, each checked against the 2023-02-09 list (line numbers refer to public_suffix_list.dat).
private struct Case: Sendable, CustomTestStringConvertible {
    var host: String
    var section: PublicSuffixList.Section
    var suffix: String?
    var registrable: String?
    var testDescription: String { "\(host) (\(section))" }
}

private let projectCases: [Case] = [
    // `com.de` is a CentralNic rule in the PRIVATE section (line 11111), so it only counts in `.all`.
    Case(host: "com.de", section: .all, suffix: "com.de", registrable: nil),
    Case(host: "com.de", section: .icann, suffix: "de", registrable: "com.de"),
    Case(host: "example.com.de", section: .all, suffix: "com.de", registrable: "example.com.de"),
    Case(host: "example.com.de", section: .icann, suffix: "de", registrable: "com.de"),
    // `pvt.k12.ma.us` is in the ICANN section (line 6733).
    Case(host: "pvt.k12.ma.us", section: .all, suffix: "pvt.k12.ma.us", registrable: nil),
    Case(host: "pvt.k12.ma.us", section: .icann, suffix: "pvt.k12.ma.us", registrable: nil),
    Case(host: "a.school.pvt.k12.ma.us", section: .icann, suffix: "pvt.k12.ma.us", registrable: "school.pvt.k12.ma.us"),
    Case(host: "k12.ma.us", section: .all, suffix: "k12.ma.us", registrable: nil),
    // `github.io` is private (line 12196); `io` is ICANN.
    Case(host: "github.io", section: .all, suffix: "github.io", registrable: nil),
    Case(host: "github.io", section: .icann, suffix: "io", registrable: "github.io"),
    Case(host: "foo.github.io", section: .all, suffix: "github.io", registrable: "foo.github.io"),
    Case(host: "bar.foo.github.io", section: .all, suffix: "github.io", registrable: "foo.github.io"),
    Case(host: "foo.github.io", section: .icann, suffix: "io", registrable: "github.io"),
    // A private rule under an ICANN one: `blogspot.co.uk` (private) under `co.uk` (ICANN).
    Case(host: "a.b.example.co.uk", section: .all, suffix: "co.uk", registrable: "example.co.uk"),
    Case(host: "x.blogspot.co.uk", section: .all, suffix: "blogspot.co.uk", registrable: "x.blogspot.co.uk"),
    Case(host: "x.blogspot.co.uk", section: .icann, suffix: "co.uk", registrable: "blogspot.co.uk"),
    // Wildcard `*.sch.uk` (ICANN): the wildcard label is part of the suffix.
    Case(host: "a.school.sch.uk", section: .icann, suffix: "school.sch.uk", registrable: "a.school.sch.uk"),
    // `*.ck` with the exception `!www.ck`.
    Case(host: "ck", section: .all, suffix: "ck", registrable: nil),
    Case(host: "test.ck", section: .all, suffix: "test.ck", registrable: nil),
    Case(host: "a.test.ck", section: .all, suffix: "test.ck", registrable: "a.test.ck"),
    Case(host: "www.ck", section: .all, suffix: "ck", registrable: "www.ck"),
    Case(host: "a.www.ck", section: .icann, suffix: "ck", registrable: "www.ck"),
    // `*.kawasaki.jp` with `!city.kawasaki.jp`. `kawasaki.jp` is not listed itself, but browsers treat a wildcard
    // rule as implying its parent, so it is a suffix too (likewise `ck` for `*.ck`, `mm` for `*.mm`).
    Case(host: "kawasaki.jp", section: .all, suffix: "kawasaki.jp", registrable: nil),
    Case(host: "kawasaki.jp.", section: .icann, suffix: "kawasaki.jp", registrable: nil),
    Case(host: "foo.kawasaki.jp", section: .all, suffix: "foo.kawasaki.jp", registrable: nil),
    Case(host: "a.foo.kawasaki.jp", section: .all, suffix: "foo.kawasaki.jp", registrable: "a.foo.kawasaki.jp"),
    Case(host: "city.kawasaki.jp", section: .all, suffix: "kawasaki.jp", registrable: "city.kawasaki.jp"),
    Case(host: "www.city.kawasaki.jp", section: .all, suffix: "kawasaki.jp", registrable: "city.kawasaki.jp"),
    // Unlisted TLD: the implicit `*` rule.
    Case(host: "notatld", section: .all, suffix: "notatld", registrable: nil),
    Case(host: "example.notatld", section: .all, suffix: "notatld", registrable: "example.notatld"),
    Case(host: "www.example.notatld", section: .icann, suffix: "notatld", registrable: "example.notatld"),
    // Case and one trailing dot are normalised away.
    Case(host: "WWW.Example.CO.UK", section: .all, suffix: "co.uk", registrable: "example.co.uk"),
    Case(host: "www.example.co.uk.", section: .all, suffix: "co.uk", registrable: "example.co.uk"),
    Case(host: "Foo.GitHub.IO.", section: .all, suffix: "github.io", registrable: "foo.github.io"),
    Case(host: "co.uk.", section: .all, suffix: "co.uk", registrable: nil),
    Case(host: "com.", section: .all, suffix: "com", registrable: nil),
    // No suffix at all: empty, empty labels, IP literals.
    Case(host: "", section: .all, suffix: nil, registrable: nil),
    Case(host: ".", section: .all, suffix: nil, registrable: nil),
    Case(host: "example.com..", section: .all, suffix: nil, registrable: nil),
    Case(host: "a..b", section: .all, suffix: nil, registrable: nil),
    Case(host: "..com", section: .all, suffix: nil, registrable: nil),
    Case(host: "127.0.0.1", section: .all, suffix: nil, registrable: nil),
    Case(host: "192.168.0.1.", section: .icann, suffix: nil, registrable: nil),
    Case(host: "0x7f.1", section: .all, suffix: nil, registrable: nil),
    Case(host: "[::1]", section: .all, suffix: nil, registrable: nil),
    Case(host: "[2001:db8::1]", section: .all, suffix: nil, registrable: nil),
    Case(host: "::1", section: .all, suffix: nil, registrable: nil),
    // A numeric label that is not the last one is an ordinary domain.
    Case(host: "1.2.3.example.com", section: .all, suffix: "com", registrable: "example.com"),
]

@Test(arguments: projectCases)
private func projectCase(_ testCase: Case) {
    let host = testCase.host
    #expect(PublicSuffixList.publicSuffix(of: host, section: testCase.section) == testCase.suffix)
    #expect(PublicSuffixList.registrableDomain(of: host, section: testCase.section) == testCase.registrable)
    let isSuffix = testCase.suffix != nil && testCase.registrable == nil
    #expect(PublicSuffixList.isPublicSuffix(host, section: testCase.section) == isSuffix)
}

@Test func defaultSectionIsAll() {
    #expect(PublicSuffixList.isPublicSuffix("github.io"))
    #expect(!PublicSuffixList.isPublicSuffix("github.io", section: .icann))
    #expect(PublicSuffixList.isPublicSuffix("com.de"))
    #expect(!PublicSuffixList.isPublicSuffix("com.de", section: .icann))
}

@Test func listProvenance() {
    #expect(PublicSuffixList.date == "2023-02-09")
    #expect(PublicSuffixList.source.contains("2023-02-09"))
    #expect(PublicSuffixList.source.contains(PublicSuffixRules.packageVersion))
    #expect(PublicSuffixRules.packageVersion == "20230209.2326-1")
}

@Test func generatedRulesAreComplete() {
    let icann = PublicSuffixRules.icann.split(separator: "\n")
    let privateDomains = PublicSuffixRules.privateDomains.split(separator: "\n")
    #expect(icann.count == 7380)
    #expect(privateDomains.count == 2126)
    #expect(icann.contains("pvt.k12.ma.us"))
    #expect(icann.contains("*.ck") && icann.contains("!www.ck"))
    #expect(privateDomains.contains("com.de") && privateDomains.contains("github.io"))
    #expect(!icann.contains("github.io"))
}
