import CORSSyntax

/// Which request headers a preflight may ask for, compared ASCII-case-insensitively.
struct HeaderRule: Sendable {
    /// `"*"`: any name except `authorization`, which must be listed by name
    /// (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name).
    var allowsAnyName = false
    /// The listed names, looked up without regard to ASCII case.
    var names: ByteStringSet

    init(allowsAnyName: Bool, lowercasedNames: [String]) {
        self.allowsAnyName = allowsAnyName
        self.names = ByteStringSet(lowercasedNames, foldingCase: true)
    }

    /// nil when the name is allowed.
    @inline(__always)
    func refusal(of name: UnsafeBufferPointer<UInt8>) -> CORSRejection.Reason? {
        if names.contains(name) { return nil }
        if allowsAnyName {
            return Self.isAuthorization(name) ? .authorizationNotCoveredByWildcard : nil
        }
        return .headerNotAllowed
    }

    private static func isAuthorization(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let authorization: StaticString = "authorization"
        guard name.count == authorization.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: authorization.utf8Start, count: authorization.utf8CodeUnitCount)
        for index in 0..<name.count where name[index].asciiLowercased != expected[index] { return false }
        return true
    }
}
