#if Tools
/// One crafted `Origin` to send, and the misconfiguration it reveals when the server trusts it.
public struct AuditProbe: Sendable, Hashable {
    /// The misconfiguration class.
    public var id: AuditFindingID
    /// The `Origin` header value.
    public var origin: String
    /// Sent only when the request budget allows, after every other probe (rarer variants).
    public var optional: Bool

    /// Creates a probe.
    public init(id: AuditFindingID, origin: String, optional: Bool = false) {
        self.id = id
        self.origin = origin
        self.optional = optional
    }
}
#endif
