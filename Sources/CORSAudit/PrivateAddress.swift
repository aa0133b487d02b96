#if Tools
/// Whether a host names a loopback, private or link-local address (the "local" and "private"
/// address spaces of https://wicg.github.io/private-network-access/#ip-address-space), or
/// `localhost`. By name only: no DNS lookup.
enum PrivateAddress {
    static func isPrivate(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        if host.hasPrefix("[") {
            let address = host.dropFirst().dropLast()
            return address == "::1" || address.hasPrefix("fc") || address.hasPrefix("fd") || address.hasPrefix("fe80:")
                || address.hasPrefix("::ffff:127.") || address.hasPrefix("::ffff:10.")
                || address.hasPrefix("::ffff:192.168.")
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard octets.count == 4, let a = octets[0], let b = octets[1], octets.allSatisfy({ $0 != nil }) else {
            return false
        }
        return a == 127 || a == 10 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
            || (a == 169 && b == 254) || a == 0
    }
}
#endif
