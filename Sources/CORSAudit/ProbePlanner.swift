#if Tools
import CORS

/// Builds the probe origins of CORS-RULES.md ("Security misconfigurations") from the site's origin.
///
/// HOST is the site's host with its port. Classes 11–14 (`*` on a private resource, `*` with
/// credentials, credentials on a reflection, missing `Vary`) need no probe of their own: they
/// are judged on every response.
public enum ProbePlanner {
    /// The arbitrary origin of class 1.
    public static let arbitraryOrigin = "https://evil.example"

    /// The attacker-controlled suffix used by prefix and special-character probes.
    public static let attackerDomain = "evil.example"

    /// Characters tried after HOST (class 7). `_` works in every browser, so it goes first and is
    /// always sent; the others (most only in Safari) are sent when the budget allows.
    public static let specialCharacters = [
        "_", "-", "\"", "{", "}", "+", "^", "%60", "!", "~", ";", "|", "&", "'", "(", ")", "*", ",", "$", "=",
    ]

    /// Hosts where anyone can publish a page (class 10).
    public static let thirdPartyOrigins = [
        "https://evil.github.io", "https://codepen.io", "https://jsfiddle.net", "https://repl.it", "https://jsbin.com",
    ]

    /// The probes for `site`, most important first.
    public static func probes(for site: SiteOrigin) -> [AuditProbe] {
        let scheme = site.scheme
        let host = site.hostAndPort
        let port = site.port.map { ":\($0)" } ?? ""
        // Suffix and substring probes are names an attacker can register: built on the site's
        // registrable domain, not on a subdomain's full name (`evilapp.example.com` and
        // `pp.example.com` are still under example.com, which a `*.example.com` policy rightly trusts).
        let domain = RegistrableDomain.of(site.host)
        var probes = [
            AuditProbe(id: .reflectAnyOrigin, origin: arbitraryOrigin),
            AuditProbe(id: .nullOrigin, origin: "null"),
            AuditProbe(id: .prefixMatch, origin: "\(scheme)://\(host).\(attackerDomain)"),
            AuditProbe(id: .suffixMatch, origin: "\(scheme)://evil\(domain)\(port)"),
        ]
        for replaced in unescapedDotHosts(site.host) {
            probes.append(AuditProbe(id: .unescapedDot, origin: "\(scheme)://\(replaced)\(port)"))
        }
        if domain.count > 1 {
            probes.append(AuditProbe(id: .substringMatch, origin: "\(scheme)://\(domain.dropFirst())\(port)"))
        }
        probes.append(AuditProbe(id: .specialChars, origin: specialCharacterOrigin(site, specialCharacters[0])))
        probes.append(AuditProbe(id: .anySubdomain, origin: "\(scheme)://evil.\(host)"))
        if scheme == "https" {
            probes.append(AuditProbe(id: .httpOriginTrusted, origin: "http://\(host)"))
        }
        for origin in thirdPartyOrigins {
            probes.append(AuditProbe(id: .thirdPartyOrigin, origin: origin))
        }
        for character in specialCharacters.dropFirst() {
            probes.append(
                AuditProbe(id: .specialChars, origin: specialCharacterOrigin(site, character), optional: true))
        }
        return probes
    }

    /// `scheme://HOST<character>.evil.example`.
    static func specialCharacterOrigin(_ site: SiteOrigin, _ character: String) -> String {
        "\(site.scheme)://\(site.hostAndPort)\(character).\(attackerDomain)"
    }

    /// HOST with its first dot, and with its last dot, replaced by `x` (`www.example.com` →
    /// `wwwxexample.com`, `www.examplexcom`); none for a dotless host.
    static func unescapedDotHosts(_ host: String) -> [String] {
        guard let first = host.firstIndex(of: "."), let last = host.lastIndex(of: ".") else { return [] }
        var hosts = [host.replacingCharacter(at: first)]
        if last != first { hosts.append(host.replacingCharacter(at: last)) }
        return hosts
    }
}

extension String {
    fileprivate func replacingCharacter(at index: Index) -> String {
        var copy = self
        copy.replaceSubrange(index...index, with: "x")
        return copy
    }
}
#endif
