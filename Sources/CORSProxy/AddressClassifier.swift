#if Tools
/// Decides whether an address is globally reachable, so that a proxy never fetches from the
/// machine it runs on, its network, or the cloud metadata service.
///
/// The ranges are IANA's special-purpose registries
/// (https://www.iana.org/assignments/iana-ipv4-special-registry,
/// https://www.iana.org/assignments/iana-ipv6-special-registry): every range that is not
/// "globally reachable", plus multicast and the documentation ranges.
public struct AddressClassifier: Sendable {
    /// Addresses treated as global whatever their range: an operator's explicit exception, or a
    /// test's loopback upstream. Empty by default.
    public var trustedAddresses: Set<IPAddress>

    /// Creates a classifier.
    ///
    /// - Parameter trustedAddresses: addresses reported as global whatever their range (an operator's
    ///   exception, a test's loopback upstream); empty by default.
    public init(trustedAddresses: Set<IPAddress> = []) {
        self.trustedAddresses = trustedAddresses
    }

    /// The name of the non-global range `address` is in (`"127.0.0.0/8 (loopback)"`), or nil
    /// when it is global (or trusted).
    public func nonGlobalRange(of address: IPAddress) -> String? {
        if trustedAddresses.contains(address) { return nil }
        switch address {
        case .v4(let value):
            return Self.v4Range(of: value)
        case .v6(let high, let low):
            if let mapped = address.mappedIPv4 {
                let inner = Self.v4Range(of: mapped).map { ", embedded \(IPAddress.v4(mapped)) is in \($0)" } ?? ""
                return "::ffff:0:0/96 (IPv4-mapped\(inner))"
            }
            for range in Self.v6Ranges where range.contains(high: high, low: low) {
                if range.embedsIPv4 {
                    let embedded = UInt32(truncatingIfNeeded: range.prefix == 16 ? high >> 16 : low)
                    guard let inner = Self.v4Range(of: embedded) else { continue }
                    return "\(range.name), embedded \(IPAddress.v4(embedded)) is in \(inner)"
                }
                return range.name
            }
            return nil
        }
    }

    static func v4Range(of value: UInt32) -> String? {
        for range in v4Ranges where value & range.mask == range.base { return range.name }
        return nil
    }

    private struct V4Range {
        let base: UInt32
        let mask: UInt32
        let name: String
        init(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ prefix: UInt32, _ what: String) {
            base = a << 24 | b << 16 | c << 8 | d
            mask = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
            name = "\(a).\(b).\(c).\(d)/\(prefix) (\(what))"
        }
    }

    private static let v4Ranges: [V4Range] = [
        V4Range(0, 0, 0, 0, 8, "\"this network\""),
        V4Range(10, 0, 0, 0, 8, "private"),
        V4Range(100, 64, 0, 0, 10, "carrier-grade NAT"),
        V4Range(127, 0, 0, 0, 8, "loopback"),
        V4Range(169, 254, 0, 0, 16, "link-local, cloud metadata"),
        V4Range(172, 16, 0, 0, 12, "private"),
        V4Range(192, 0, 0, 0, 24, "IETF protocol assignments"),
        V4Range(192, 0, 2, 0, 24, "documentation"),
        V4Range(192, 88, 99, 0, 24, "6to4 relay anycast"),
        V4Range(192, 168, 0, 0, 16, "private"),
        V4Range(198, 18, 0, 0, 15, "benchmarking"),
        V4Range(198, 51, 100, 0, 24, "documentation"),
        V4Range(203, 0, 113, 0, 24, "documentation"),
        V4Range(224, 0, 0, 0, 4, "multicast"),
        V4Range(240, 0, 0, 0, 4, "reserved, broadcast"),
    ]

    private struct V6Range {
        let high: UInt64
        let low: UInt64
        let prefix: Int
        let name: String
        /// NAT64 and 6to4 carry an IPv4 address: refused only when that one is not global.
        var embedsIPv4 = false

        func contains(high otherHigh: UInt64, low otherLow: UInt64) -> Bool {
            if prefix <= 64 {
                let mask: UInt64 = prefix == 0 ? 0 : ~0 << (64 - prefix)
                return otherHigh & mask == high & mask
            }
            let mask: UInt64 = prefix == 128 ? ~0 : ~0 << (128 - prefix)
            return otherHigh == high && otherLow & mask == low & mask
        }
    }

    private static let v6Ranges: [V6Range] = [
        V6Range(high: 0, low: 0, prefix: 128, name: "::/128 (unspecified)"),
        V6Range(high: 0, low: 1, prefix: 128, name: "::1/128 (loopback)"),
        V6Range(high: 0x0064_ff9b_0000_0000, low: 0, prefix: 96, name: "64:ff9b::/96 (NAT64)", embedsIPv4: true),
        V6Range(high: 0, low: 0, prefix: 96, name: "::/96 (IPv4-compatible, deprecated)"),
        // SIIT's IPv4-translated form (RFC 2765): like IPv4-mapped, never a public host's address.
        V6Range(high: 0, low: 0xffff_0000_0000_0000, prefix: 96, name: "::ffff:0:0:0/96 (IPv4-translated)"),
        V6Range(high: 0x0064_ff9b_0001_0000, low: 0, prefix: 48, name: "64:ff9b:1::/48 (local NAT64)"),
        V6Range(high: 0x0100_0000_0000_0000, low: 0, prefix: 64, name: "100::/64 (discard)"),
        V6Range(high: 0x2001_0000_0000_0000, low: 0, prefix: 32, name: "2001::/32 (Teredo)"),
        V6Range(high: 0x2001_0db8_0000_0000, low: 0, prefix: 32, name: "2001:db8::/32 (documentation)"),
        V6Range(high: 0x3fff_0000_0000_0000, low: 0, prefix: 20, name: "3fff::/20 (documentation, RFC 9637)"),
        V6Range(high: 0x2002_0000_0000_0000, low: 0, prefix: 16, name: "2002::/16 (6to4)", embedsIPv4: true),
        V6Range(high: 0xfc00_0000_0000_0000, low: 0, prefix: 7, name: "fc00::/7 (unique local)"),
        V6Range(high: 0xfe80_0000_0000_0000, low: 0, prefix: 10, name: "fe80::/10 (link-local)"),
        V6Range(high: 0xfec0_0000_0000_0000, low: 0, prefix: 10, name: "fec0::/10 (site-local, deprecated)"),
        V6Range(high: 0xff00_0000_0000_0000, low: 0, prefix: 8, name: "ff00::/8 (multicast)"),
    ]
}
#endif
