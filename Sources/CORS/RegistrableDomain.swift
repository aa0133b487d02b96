/// An approximation of the registrable domain ("eTLD+1", https://url.spec.whatwg.org/#host-registrable-domain)
/// without the Public Suffix List: the last two labels of the host, or three under a few common
/// two-label public suffixes (`co.uk`, `github.io`...). An IP address is its own domain.
///
/// Used by `cors audit` (a redirect to another registered domain is not followed; suffix probes) and
/// by policy validation (regex probes).
public enum RegistrableDomain {
    /// Common public suffixes of two labels.
    static let twoLabelSuffixes: Set<String> = [
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "co.jp", "ne.jp", "or.jp",
        "ac.jp", "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "org.nz", "com.br", "net.br", "org.br",
        "com.cn", "net.cn", "org.cn", "co.in", "net.in", "org.in", "co.za", "com.mx", "com.ar", "com.tr", "co.kr",
        "com.sg", "com.hk", "com.tw", "co.il", "github.io", "gitlab.io", "herokuapp.com", "netlify.app",
        "vercel.app", "pages.dev", "workers.dev", "appspot.com", "azurewebsites.net", "cloudfront.net",
        "blogspot.com", "firebaseapp.com", "web.app",
    ]

    /// The registrable domain of `host` (lowercased, without port).
    public static func of(_ host: String) -> String {
        let host = host.lowercased()
        if host.hasPrefix("[") || host.allSatisfy({ $0.isNumber || $0 == "." }) { return host }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count > 2 else { return host }
        let lastTwo = labels.suffix(2).joined(separator: ".")
        return labels.suffix(twoLabelSuffixes.contains(lastTwo) ? 3 : 2).joined(separator: ".")
    }

    /// Whether `lhs` and `rhs` share a registrable domain.
    public static func same(_ lhs: String, _ rhs: String) -> Bool { of(lhs) == of(rhs) }
}
