/// Which request headers a preflight may ask for, compared ASCII-case-insensitively.
struct HeaderRule: Sendable {
    /// `"*"`: any name except `authorization`, which must be listed by name
    /// (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name).
    var allowsAnyName = false
    /// Lowercased names, grouped by length so a lookup compares only same-length names.
    var namesByLength: [Int: [[UInt8]]] = [:]

    init(allowsAnyName: Bool, lowercasedNames: [String]) {
        self.allowsAnyName = allowsAnyName
        for name in lowercasedNames {
            namesByLength[name.utf8.count, default: []].append(Array(name.utf8))
        }
    }

    var listsAuthorization: Bool { contains("authorization".utf8[...]) }

    /// nil when the name is allowed.
    func refusal(of name: Substring.UTF8View) -> CORSRejection.Reason? {
        if contains(name) { return nil }
        if allowsAnyName {
            return Self.equalsLowercased(name, "authorization".utf8) ? .authorizationNotCoveredByWildcard : nil
        }
        return .headerNotAllowed
    }

    private func contains(_ name: Substring.UTF8View) -> Bool {
        guard let candidates = namesByLength[name.count] else { return false }
        return candidates.contains { Self.equalsLowercased(name, $0) }
    }

    private static func equalsLowercased<A: Collection<UInt8>, B: Collection<UInt8>>(_ name: A, _ lowercased: B) -> Bool
    {
        guard name.count == lowercased.count else { return false }
        return zip(name, lowercased).allSatisfy { $0.asciiLowercased == $1 }
    }
}
