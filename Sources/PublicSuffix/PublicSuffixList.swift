/// Public Suffix List lookups, used to tell a site (registrable domain) apart from a shared suffix such as `co.uk`
/// or `github.io`, so that e.g. cookies or "same-site" decisions cannot span unrelated owners.
///
/// Hosts must already be in ASCII (punycode) form, as a URL parser produces them; the rules are stored that way.
/// A single trailing dot is ignored, and results are returned lowercased and without it, so `example.com.` and
/// `example.com` give the same answers.
public enum PublicSuffixList {
    /// Which rules to apply.
    public enum Section: Sendable {
        /// ICANN and private rules: the browser's view of sites (`github.io` is a suffix).
        case all
        /// ICANN rules only: what Chromium uses to reject over-broad certificate wildcards (`*.github.io` is fine).
        case icann
    }

    /// The date of the bundled list, `YYYY-MM-DD`.
    public static let date: String = PublicSuffixRules.date

    /// Where the bundled list came from, for diagnostics.
    public static let source: String =
        "Public Suffix List \(PublicSuffixRules.date) (Debian publicsuffix \(PublicSuffixRules.packageVersion))"

    /// The public suffix of `host`, e.g. `co.uk` for `www.example.co.uk`.
    ///
    /// Follows the list's formal algorithm, plus the browsers' reading that a wildcard rule such as `*.kawasaki.jp`
    /// also makes `kawasaki.jp` a suffix. Hosts under an unlisted TLD get that TLD (the list's implicit `*` rule).
    /// Returns nil for empty hosts, hosts with an empty label (`a..b`, `.com`) and IP addresses, which have no suffix.
    public static func publicSuffix(of host: String, section: Section = .all) -> String? {
        guard let host = Host(host) else { return nil }
        let count = ruleSet(section).publicSuffixLabelCount(host.labels)
        return host.suffix(labelCount: count)
    }

    /// The registrable domain of `host` (its public suffix plus one label), e.g. `example.co.uk` for
    /// `www.example.co.uk`. Returns nil when the host is itself a public suffix or has no suffix at all.
    public static func registrableDomain(of host: String, section: Section = .all) -> String? {
        guard let host = Host(host) else { return nil }
        let count = ruleSet(section).publicSuffixLabelCount(host.labels)
        guard count < host.labels.count else { return nil }
        return host.suffix(labelCount: count + 1)
    }

    /// Whether `host` is exactly a public suffix (including an unlisted TLD on its own).
    public static func isPublicSuffix(_ host: String, section: Section = .all) -> Bool {
        guard let host = Host(host) else { return false }
        return ruleSet(section).publicSuffixLabelCount(host.labels) == host.labels.count
    }

    // Built on first use; each set is immutable afterwards, so sharing it across threads is safe.
    private static let allRules = RuleSet(PublicSuffixRules.icann, PublicSuffixRules.privateDomains)
    private static let icannRules = RuleSet(PublicSuffixRules.icann)

    private static func ruleSet(_ section: Section) -> RuleSet {
        switch section {
        case .all: allRules
        case .icann: icannRules
        }
    }
}

/// A host normalised for matching: lowercased, one trailing dot dropped, split into labels.
private struct Host {
    let name: String
    let labels: [Substring]

    init?(_ raw: String) {
        var name = raw.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        // IPv6 literals (bracketed or not) have no suffix.
        if name.isEmpty || name.hasPrefix("[") || name.contains(":") { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { return nil }
        // WHATWG URL parsing treats a host whose last label is a number as IPv4 (`1.2.3.4`, `0x7f.1`); no TLD is.
        if let last = labels.last, Host.isNumber(last) { return nil }
        self.name = name
        self.labels = labels
    }

    /// The last `labelCount` labels joined with dots.
    func suffix(labelCount: Int) -> String {
        String(name[labels[labels.count - labelCount].startIndex...])
    }

    private static func isNumber(_ label: Substring) -> Bool {
        if label.hasPrefix("0x") { return label.dropFirst(2).allSatisfy { $0.isASCII && $0.isHexDigit } }
        return label.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
