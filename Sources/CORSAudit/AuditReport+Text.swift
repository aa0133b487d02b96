#if Tools
import HTTPTypes

extension AuditReport {
    /// The report for a person: findings grouped by severity, worst first, each with its
    /// evidence and fix; then notes and errors.
    public var text: String {
        var lines = ["cors audit \(url) (site origin \(siteOrigin), \(requestsSent) requests)"]
        if findings.isEmpty {
            lines.append("no findings")
        }
        let idWidth = AuditFindingID.all.map(\.rawValue.count).max() ?? 0
        for severity in AuditSeverity.all {
            let group = findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            lines.append("")
            lines.append("\(severity.description.uppercased()) (\(group.count))")
            for finding in group {
                let id = finding.id.rawValue.padding(to: idWidth)
                let seen = finding.seenIn.map(\.rawValue).joined(separator: "+")
                lines.append("  \(id)  \(finding.origin)  [\(seen) \(finding.url)]")
                lines.append("      \(finding.summary)")
                let sent = finding.evidence.request
                let received = finding.evidence.response
                lines.append("      request:  \(sent.method.rawValue) \(sent.url)")
                for field in sent.headerFields {
                    lines.append("                \(field.name.rawName): \(field.value)")
                }
                lines.append("      response: \(received.status)")
                for field in received.headerFields {
                    lines.append("                \(field.name.rawName): \(field.value)")
                }
                lines.append("      fix:      \(finding.rule)")
                lines.append("      policy:   \(finding.policy)")
            }
        }
        if !notes.isEmpty {
            lines.append("")
            lines.append("notes:")
            lines += notes.map { "  - \($0)" }
        }
        if !errors.isEmpty {
            lines.append("")
            lines.append("errors:")
            lines += errors.map { "  - \($0)" }
        }
        lines.append("")
        if let worst = worstSeverity, worst >= .medium {
            lines.append("\(findings.filter { $0.severity >= .medium }.count) finding(s) of medium or higher severity")
        } else if !errors.isEmpty {
            lines.append("incomplete: some requests failed")
        } else if requiredProbesSkipped > 0 {
            lines.append(
                "incomplete: \(requiredProbesSkipped) required probe(s) not sent within the budget (raise --budget);"
                    + " nothing of medium or higher severity among those sent")
        } else {
            lines.append("nothing of medium or higher severity found")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
#endif
