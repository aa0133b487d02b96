#if Tools
/// One misconfiguration found: what, how bad, which probe showed it, and how to fix it.
public struct AuditFinding: Sendable, Hashable {
    /// The stable id.
    public var id: AuditFindingID
    /// How bad it is.
    public var severity: AuditSeverity
    /// The probe `Origin` that the server trusted (or that got the offending response).
    public var origin: String
    /// The URL probed.
    public var url: String
    /// The request and response that show it (the worst one, a GET when tied).
    public var evidence: AuditExchange
    /// How the finding showed: `GET`, `preflight`, or both.
    public var seenIn: [AuditExchange.Kind]
    /// One or two sentences: what the server did and what a browser makes of it.
    public var summary: String
    /// The general rule that fixes it.
    public var rule: String
    /// The fix as a `cors serve` policy file fragment.
    public var policy: String

    /// Creates a finding.
    public init(
        id: AuditFindingID, severity: AuditSeverity, origin: String, url: String, evidence: AuditExchange,
        seenIn: [AuditExchange.Kind], summary: String, rule: String, policy: String
    ) {
        self.id = id
        self.severity = severity
        self.origin = origin
        self.url = url
        self.evidence = evidence
        self.seenIn = seenIn
        self.summary = summary
        self.rule = rule
        self.policy = policy
    }

    /// The rule followed by the policy fix, in one string.
    public var fix: String { "\(rule) Policy file: \(policy)" }
}
#endif
