import CORSSyntax
import PublicSuffix

/// Whether a certificate's DNS name covers a host, as browsers decide it (Chromium since 58).
///
/// A host name is covered only by a DNS subjectAltName: equal ignoring ASCII case (and a final
/// dot), or `*.` followed by at least two labels, where `*` stands for exactly one whole,
/// non-empty label (RFC 6125 §6.4). The common name is never consulted, nor an IP subjectAltName
/// for a name, nor partial wildcards such as `f*.example.com` — all of which TLS libraries such
/// as NIOSSL still accept. Nor a wildcard over an ICANN public suffix (`*.co.uk`,
/// `*.pvt.k12.ma.us`), which CAs may not issue and Chromium refuses; private-section suffixes such
/// as `*.github.io` are certificates their owners hold, and stay valid.
public enum CertificateNameRule {
    /// Whether the DNS name `pattern` covers `host` (both as bytes). Names with empty labels or
    /// bytes outside letters, digits, `-`, `_` and `.` (the `*` of a wildcard aside) cover nothing.
    public static func matches(pattern: [UInt8], host: [UInt8]) -> Bool {
        guard let host = wellFormed(host[...]), let pattern = wellFormed(pattern[...], wildcard: true) else {
            return false
        }
        guard pattern.first == UInt8(ascii: "*") else { return equalIgnoringCase(pattern, host) }
        let rest = pattern.dropFirst()
        // `*.` then a name with a dot in it: `*.example.com`, never `*.com`, `*`, `f*.example.com`.
        guard rest.first == UInt8(ascii: "."), rest.dropFirst().contains(UInt8(ascii: ".")),
            !rest.contains(UInt8(ascii: "*")), let firstDot = host.firstIndex(of: UInt8(ascii: ".")),
            !PublicSuffixList.isPublicSuffix(String(decoding: rest.dropFirst(), as: UTF8.self), section: .icann)
        else { return false }
        return equalIgnoringCase(rest, host[firstDot...])
    }

    /// Whether the DNS name `pattern` (a certificate's subjectAltName, e.g. `*.example.com`) covers `host`;
    /// the byte-array overload's rule, applied to the strings' UTF-8 bytes.
    public static func matches(pattern: String, host: String) -> Bool {
        matches(pattern: Array(pattern.utf8), host: Array(host.utf8))
    }

    /// Whether `host` is a plain DNS name this rule can judge: ASCII letters, digits, `-`, `_`
    /// and non-empty labels (not an IP literal's brackets, not an internationalised name, whose
    /// certificate carries its punycode form).
    public static func isPlainHostName(_ host: String) -> Bool {
        wellFormed(Array(host.utf8)[...]) != nil
    }

    /// `name` without a final dot, when it is a plain DNS name: non-empty labels of host bytes
    /// (and, for a pattern, `*`s, which `matches` then places).
    private static func wellFormed(_ name: ArraySlice<UInt8>, wildcard: Bool = false) -> ArraySlice<UInt8>? {
        let name = name.last == UInt8(ascii: ".") ? name.dropLast() : name
        guard !name.isEmpty else { return nil }
        var labelLength = 0
        for byte in name {
            if byte == UInt8(ascii: ".") {
                if labelLength == 0 { return nil }
                labelLength = 0
            } else if isHostByte(byte) || (wildcard && byte == UInt8(ascii: "*")) {
                labelLength += 1
            } else {
                return nil
            }
        }
        return labelLength == 0 ? nil : name
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    private static func equalIgnoringCase(_ first: ArraySlice<UInt8>, _ second: ArraySlice<UInt8>) -> Bool {
        first.count == second.count
            && zip(first, second).allSatisfy { HTTPSyntax.lowercased($0) == HTTPSyntax.lowercased($1) }
    }
}
