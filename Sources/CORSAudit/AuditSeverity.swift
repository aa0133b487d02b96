#if Tools
/// How bad a finding is (https://fetch.spec.whatwg.org/#http-cors-protocol and CORS-RULES.md,
/// "Security misconfigurations").
public struct AuditSeverity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0 for low, larger is worse.
    public let rank: Int
    /// `low`, `medium` or `high`.
    public let description: String

    private init(rank: Int, name: String) {
        self.rank = rank
        self.description = name
    }

    /// Broken or risky but not directly exploitable (`*` with `true`; trusting every subdomain).
    public static let low = AuditSeverity(rank: 0, name: "low")
    /// Readable cross-origin without the user's credentials, or a cache-poisoning risk.
    public static let medium = AuditSeverity(rank: 1, name: "medium")
    /// An attacker's page can read the user's authenticated responses.
    public static let high = AuditSeverity(rank: 2, name: "high")

    /// Every severity, worst first.
    public static let all: [AuditSeverity] = [.high, .medium, .low]

    /// Parses `low`, `medium` or `high`.
    public init?(_ name: String) {
        guard let found = Self.all.first(where: { $0.description == name }) else { return nil }
        self = found
    }

    public static func < (lhs: AuditSeverity, rhs: AuditSeverity) -> Bool { lhs.rank < rhs.rank }
}
#endif
