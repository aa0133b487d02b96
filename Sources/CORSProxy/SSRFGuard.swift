#if Tools
import HTTPTypes

/// Where a request may go: a target whose every address was checked, and the one address the
/// connection will be made to. Nothing resolves the name again after this, so a DNS answer that
/// changes between the check and the connection (rebinding) changes nothing.
public struct CheckedTarget: Sendable, Equatable {
    /// The URL as the page asked for it: its host goes in `Host` and, for `https`, is checked against the
    /// certificate.
    public let url: TargetURL
    /// The address the connection is made to: the IP literal of the URL, or the first address its name
    /// resolved to.
    public let address: IPAddress
}

/// Refuses targets that would reach the proxy's own machine or network (server-side request
/// forgery): IP literals in every encoding, names with any non-global A/AAAA record, hosts
/// outside the operator's allow list.
public struct SSRFGuard: Sendable {
    /// Looks up the addresses of target names (``SystemResolver`` by default).
    public var resolver: any Resolver
    /// Decides which addresses are non-global and so refused.
    public var classifier: AddressClassifier
    /// Skips the address check (local development only: the proxy can then reach anything the
    /// machine can).
    public var allowPrivate: Bool
    /// When not empty, only these hosts (lower-case names or canonical addresses) may be targets.
    public var allowedTargets: Set<String>

    /// Creates a guard; the defaults refuse every non-global address and allow any public host.
    ///
    /// - Parameters:
    ///   - resolver: looks up target names; `getaddrinfo` by default.
    ///   - classifier: decides which addresses are non-global.
    ///   - allowPrivate: skips the address check (local development only); `false` by default.
    ///   - allowedTargets: when not empty, the only hosts that may be targets; names are lower-cased and lose a
    ///     final dot, addresses take their canonical form.
    public init(
        resolver: any Resolver = SystemResolver(), classifier: AddressClassifier = AddressClassifier(),
        allowPrivate: Bool = false, allowedTargets: Set<String> = []
    ) {
        self.resolver = resolver
        self.classifier = classifier
        self.allowPrivate = allowPrivate
        self.allowedTargets = Set(allowedTargets.map { Self.normalise($0) })
    }

    /// Whether `host` can be an entry of ``allowedTargets``: a name or an address alone (an IPv6
    /// address with or without brackets), no scheme, port, path or userinfo.
    public static func isTargetHost(_ host: String) -> Bool {
        guard !host.isEmpty, !host.contains(where: { "/?#@ ".contains($0) }) else { return false }
        // A colon outside brackets is an IPv6 address's (bracketed here) or a port's (which then
        // makes no address).
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return (try? TargetURL(parsing: Substring("http://\(authority)/"), requireDottedName: false)) != nil
    }

    /// Checks `url` and picks the address to connect to; throws a 403 (or 502 when the name does
    /// not resolve) naming the host, the address and the range that made it unsafe.
    public func check(_ url: TargetURL) async throws(ProxyRejection) -> CheckedTarget {
        if let checked = try checkWithoutLookup(url) { return checked }
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.resolve(host: url.host)
        } catch {
            throw ProxyRejection(.badGateway, reason: "dns", "Bad gateway: could not resolve \(url.host).")
        }
        guard let first = addresses.first else {
            throw ProxyRejection(.badGateway, reason: "dns", "Bad gateway: \(url.host) has no A or AAAA record.")
        }
        if !allowPrivate {
            for address in addresses {
                if let range = classifier.nonGlobalRange(of: address) {
                    throw ProxyRejection(
                        .forbidden, reason: "ssrf",
                        "Forbidden: \(url.host) resolves to a non-public address (\(address) is in \(range)); "
                            + "this proxy only fetches from public addresses.")
                }
            }
        }
        return CheckedTarget(url: url, address: first)
    }

    /// The checks that need no DNS: the allow list, and IP literals. Nil when `url` names a
    /// host that must be looked up (``check(_:)`` does that).
    func checkWithoutLookup(_ url: TargetURL) throws(ProxyRejection) -> CheckedTarget? {
        if !allowedTargets.isEmpty, !allowedTargets.contains(url.host) {
            throw ProxyRejection(
                .forbidden, reason: "target-not-allowed",
                "Forbidden: \(url.host) is not in this proxy's list of allowed targets (--allow-target).")
        }
        guard let literal = url.address else { return nil }
        if !allowPrivate, let range = classifier.nonGlobalRange(of: literal) {
            throw ProxyRejection(
                .forbidden, reason: "ssrf",
                "Forbidden: \(url.host) is a non-public address (\(literal) is in \(range)); "
                    + "this proxy only fetches from public addresses.")
        }
        return CheckedTarget(url: url, address: literal)
    }

    private static func normalise(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        // A bare IPv6 address (as `isTargetHost` accepts it) is parsed bracketed, like a URL's.
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        if let address = try? IPAddress.parseHost(Substring(host)) { return address.description }
        return host
    }
}
#endif
