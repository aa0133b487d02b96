import PublicSuffix

/// The registrable domain ("eTLD+1", https://url.spec.whatwg.org/#host-registrable-domain) by the
/// whole Public Suffix List, ICANN and private sections, as browsers read it. A host that has none
/// (an IP address, `localhost`, a public suffix itself) is its own domain, so two such hosts are the
/// same site only when they are equal.
///
/// Used by `cors audit` (a redirect to another registered domain is not followed; suffix probes) and
/// by policy validation (regex probes).
public enum RegistrableDomain {
    /// The registrable domain of `host` (lowercased, without port).
    public static func of(_ host: String) -> String {
        PublicSuffixList.registrableDomain(of: host) ?? host.lowercased()
    }

    /// Whether `lhs` and `rhs` share a registrable domain.
    public static func same(_ lhs: String, _ rhs: String) -> Bool { of(lhs) == of(rhs) }

    /// Whether `host` is a public suffix (`com`, `co.uk`, `github.io`): a `*.` over it trusts every
    /// site anyone registers there.
    public static func isPublicSuffix(_ host: String) -> Bool {
        PublicSuffixList.isPublicSuffix(host)
    }
}
