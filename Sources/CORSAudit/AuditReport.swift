#if Tools
/// The outcome of one audit run.
public struct AuditReport: Sendable, Hashable {
    /// The URL given.
    public var url: String
    /// The origin the probes were built from.
    public var siteOrigin: String
    /// The findings, worst first.
    public var findings: [AuditFinding]
    /// What the baseline learned about the site, redirects not followed, budget notes.
    public var notes: [String]
    /// Requests that failed (network errors, timeouts).
    public var errors: [String]
    /// Requests sent, redirects included.
    public var requestsSent: Int
    /// Probes not sent because the budget ran out.
    public var probesSkipped: Int
    /// Of those, probes every audit sends (not the rarer special-character variants): while any
    /// is left, "nothing found" would claim more than was checked.
    public var requiredProbesSkipped = 0

    /// Creates a report.
    public init(
        url: String, siteOrigin: String, findings: [AuditFinding] = [], notes: [String] = [], errors: [String] = [],
        requestsSent: Int = 0, probesSkipped: Int = 0
    ) {
        self.url = url
        self.siteOrigin = siteOrigin
        self.findings = findings
        self.notes = notes
        self.errors = errors
        self.requestsSent = requestsSent
        self.probesSkipped = probesSkipped
    }

    /// The worst severity found, or `nil` without findings.
    public var worstSeverity: AuditSeverity? { findings.map(\.severity).max() }

    /// Whether every request went through and every required probe was sent.
    public var isComplete: Bool { errors.isEmpty && requiredProbesSkipped == 0 }

    /// `cors audit`'s exit status: 1 with a finding of medium or higher severity, else 2 when the
    /// audit is incomplete (requests failed, or the budget ran out before a required probe), else 0.
    public var exitCode: Int32 {
        if let worst = worstSeverity, worst >= .medium { return 1 }
        return isComplete ? 0 : 2
    }
}
#endif
