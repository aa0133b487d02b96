/// Explains why a configured origin is not in the serialized form browsers send, and what to
/// write instead.
enum OriginEntryValidation {
    static let nullWhy =
        "'null' is sent by sandboxed iframes, data: URLs and local files, so any site can produce it"

    static func problem(for entry: String, field: String, failure: OriginSyntax.Failure) -> CORSConfigurationProblem {
        let entryText = quoted(entry)
        let compare = "browsers send origins as scheme://host[:port] and servers compare them byte for byte"
        let suggestion =
            failure == .tooLong ? nil : suggestedOrigin(for: entry).map { "write \(quoted($0))" }
        func make(_ problem: String, _ why: String, _ fix: String) -> CORSConfigurationProblem {
            CORSConfigurationProblem(
                kind: .malformedOrigin, field: field, problem: problem, why: why, fix: suggestion ?? fix)
        }
        switch failure {
        case .empty:
            return make("an origin is empty", "an empty entry matches nothing", "remove it")
        case .missingScheme where entry.contains("://"):
            // `*://a.com`: a scheme is there, just not a valid one.
            return make("\(entryText) has an invalid scheme", compare, "write 'https://host' or 'http://host'")
        case .missingScheme:
            return make(
                "\(entryText) has no scheme", compare, "write the full origin, e.g. \(quoted("https://" + entry))")
        case .invalidScheme:
            return make("\(entryText) has an invalid scheme", compare, "write 'https://host' or 'http://host'")
        case .uppercase:
            return make(
                "\(entryText) has uppercase letters", "browsers send origins lowercase; \(compare)", "lowercase it")
        case .nonASCII:
            return make(
                "\(entryText) has a non-ASCII host", "browsers send internationalized hosts as punycode",
                "write the host in its punycode (xn--) form")
        case .userinfo:
            return make(
                "\(entryText) has userinfo (user@)", "an origin never carries credentials", "remove the 'user@' part")
        case .emptyHost:
            return make("\(entryText) has no host", compare, "write 'scheme://host'")
        case .invalidHostCharacter(let byte):
            // A control byte would print as nothing (or break the line): named by its code instead.
            let shown =
                (0x21...0x7E).contains(byte)
                ? "the character '\(Character(Unicode.Scalar(byte)))'"
                : "the byte 0x\(String(byte, radix: 16, uppercase: true))"
            return make(
                "\(entryText) has \(shown) in its host", compare,
                "write a host of letters, digits, '-' and '.'")
        case .emptyLabel:
            return make(
                "\(entryText) has an empty host label ('..' or a trailing '.')", compare, "remove the extra '.'")
        case .misplacedWildcard:
            return make(
                "\(entryText) uses '*' other than as a whole leading label or port",
                "a partial wildcard like 'https://*example.com' would also allow 'https://evilexample.com'",
                "write 'https://*.example.com' (subdomains) or 'https://host:*' (any port)")
        case .invalidPort:
            return make(
                "\(entryText) has an invalid port", compare, "write a port from 1 to 65535 without leading zeros")
        case .portOutOfRange:
            return make(
                "\(entryText) has a port outside 1–65535", "no browser can send it", "write a port from 1 to 65535")
        case .defaultPort:
            return make(
                "\(entryText) names the scheme's default port", "browsers omit the default port, so it never matches",
                "remove the port")
        case .trailingSlash:
            return make("\(entryText) ends with '/'", "an origin has no path; \(compare)", "remove the trailing '/'")
        case .path:
            return make(
                "\(entryText) has a path", "an origin has no path; \(compare)", "keep only scheme://host[:port]")
        case .query:
            return make(
                "\(entryText) has a query", "an origin has no query; \(compare)", "keep only scheme://host[:port]")
        case .tooLong:
            return CORSConfigurationProblem(
                kind: .malformedOrigin, field: field,
                problem:
                    "an origin of \(entry.utf8.count) bytes is longer than any origin (\(OriginSyntax.maximumLength))",
                why: "no browser can send it", fix: "write the origin meant")
        case .fragment:
            return make(
                "\(entryText) has a fragment", "an origin has no fragment; \(compare)", "keep only scheme://host[:port]"
            )
        }
    }

    /// The serialized origin the user most likely meant, if one can be derived.
    static func suggestedOrigin(for entry: String) -> String? {
        let bytes = Array(entry.lowercased().utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }), let separator = findSeparator(in: bytes) else { return nil }
        let authorityStart = separator + 3
        var authority = Array(
            bytes[authorityStart...].prefix {
                $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
            })
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = Array(authority[(at + 1)...]) }
        var candidate = String(decoding: bytes[..<authorityStart] + authority, as: UTF8.self)
        for (scheme, port) in [("http://", ":80"), ("https://", ":443"), ("ws://", ":80"), ("wss://", ":443")]
        where candidate.hasPrefix(scheme) && candidate.hasSuffix(port) {
            candidate.removeLast(port.count)
        }
        guard candidate != entry, case .success = OriginSyntax.parse(candidate, allowWildcards: true) else {
            return nil
        }
        return candidate
    }

    private static func findSeparator(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 3 else { return nil }
        for index in 0...(bytes.count - 3)
        where bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: "/")
            && bytes[index + 2] == UInt8(ascii: "/")
        {
            return index
        }
        return nil
    }

    /// Origins no policy means to trust: a regex that matches one of them trusts everyone.
    static let attackerProbes = [
        "https://evil.example", "http://evil.example", "https://attacker.invalid", "https://evil.example:8443",
    ]

    /// Origins an attacker can get that a regex for the domains it names should not take, with
    /// what taking each says about the regex. The domains are the dotted names written in it
    /// (`example\.com`, or `example.com` with the dot unescaped).
    static func regexProbes(_ source: String) -> [(origin: String, problem: RegexProbeProblem)] {
        var probes: [(String, RegexProbeProblem)] = []
        for name in dottedNames(in: source) {
            if RegistrableDomain.isPublicSuffix(name) {
                probes.append(("https://evil.\(name)", .publicSuffix(name)))
                continue
            }
            // Names an attacker can register: `evil` before the registrable domain, not before a
            // subdomain's name (`evil-preview.example.com` is still example.com's to create).
            let domain = RegistrableDomain.of(name)
            probes.append(("https://evil\(domain)", .noLabelBoundary(domain)))
            probes.append(("http://evil\(domain)", .noLabelBoundary(domain)))
            probes.append(("https://\(name).evil.example", .unanchoredEnd(name)))
        }
        return probes
    }

    enum RegexProbeProblem {
        /// Takes `https://evilexample.com`: the host is not matched on a label boundary.
        case noLabelBoundary(String)
        /// Takes `https://example.com.evil.example`: nothing stops the match after the domain.
        case unanchoredEnd(String)
        /// Takes `https://evil.github.io`: every site on a shared hosting domain.
        case publicSuffix(String)
    }

    /// The dotted names a regex's source spells out, lowercased: runs of letters, digits and `-`
    /// joined by `\.` or `.` (`[a-z]+\.github\.io` gives `github.io`).
    static func dottedNames(in source: String) -> [String] {
        var names: [String] = []
        var labels: [String] = []
        var current = ""
        var characters = Array(source)[...]
        func endName() {
            if !current.isEmpty { labels.append(current) }
            if labels.count >= 2 { names.append(labels.joined(separator: ".").lowercased()) }
            labels = []
            current = ""
        }
        while let character = characters.popFirst() {
            if character.isASCII, character.isLetter || character.isNumber || character == "-" {
                current.append(character)
            } else if character == "\\", characters.first == "." {
                characters.removeFirst()
                if current.isEmpty { endName() } else { labels.append(current) }
                current = ""
            } else if character == ".", !current.isEmpty {
                labels.append(current)
                current = ""
            } else {
                endName()
            }
        }
        endName()
        // A lone label (`https` before `://`, `a-z` in a class) is no name: names have two or more.
        return Array(Set(names)).sorted()
    }

    /// Whether `regex` has a `.` meant as a domain's dot: outside a class, unescaped, and not a
    /// wildcard on purpose (`.*`, `.+`, `.?`, `.{n}`). Such a `.` matches any character:
    /// `^https://app.example.com$` also allows `https://appxexample.com`.
    static func hasUnescapedDot(_ regex: String) -> Bool {
        var escaped = false
        var inClass = false
        var characters = Array(regex)[...]
        while let character = characters.popFirst() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case "." where !inClass:
                if let next = characters.first, "*+?{".contains(next) { continue }
                return true
            default: break
            }
        }
        return false
    }
}

extension CORSConfigurationProblem {
    /// Why `entry` is not an origin as browsers send it (`scheme://host[:port]`), nil when it is
    /// one: for command-line lists of origins, checked by the same rules as a policy's.
    package static func origin(_ entry: String, field: String) -> CORSConfigurationProblem? {
        switch OriginSyntax.parse(entry) {
        case .success: nil
        case .failure(let failure): OriginEntryValidation.problem(for: entry, field: field, failure: failure)
        }
    }
}
