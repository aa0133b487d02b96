#if Tools
import CORSBrowser
import HTTPTypes

/// Judges responses the way a browser would, with the browser model's CORS check
/// (https://fetch.spec.whatwg.org/#concept-cors-check) and preflight check.
enum ProbeJudge {
    /// What one response shows.
    struct Judgement: Sendable, Hashable {
        var id: AuditFindingID
        var severity: AuditSeverity
        var summary: String
    }

    /// Whether the server trusted the probe's origin: the response's `Access-Control-Allow-Origin`
    /// passes the browser's CORS check for that origin (and is not `*`). High when a credentialed
    /// request passes too (`Access-Control-Allow-Credentials: true`), medium otherwise; trusting
    /// every subdomain is low either way.
    static func trusted(
        _ probe: AuditProbe, _ exchange: AuditExchange, preflightFor analysis: RequestAnalysis?
    ) -> Judgement? {
        let fields = exchange.response.headerFields
        guard fields[.accessControlAllowOrigin] != "*",
            FetchCORSCheck.check(fields, origin: probe.origin, credentials: false) == nil
        else { return nil }
        let credentials = FetchCORSCheck.check(fields, origin: probe.origin, credentials: true) == nil
        let severity: AuditSeverity = probe.id == .anySubdomain ? .low : credentials ? .high : .medium
        var summary =
            "Trusted `Origin: \(probe.origin)`: `Access-Control-Allow-Origin: \(probe.origin)`"
            + (credentials
                ? " with `Access-Control-Allow-Credentials: true`, so a page there can read responses made with the"
                    + " user's cookies."
                : " without `Access-Control-Allow-Credentials: true`, so a page there can read responses made without"
                    + " the user's cookies.")
        if exchange.kind == .preflight, let analysis {
            let asked = ([analysis.method] + analysis.unsafeHeaderNames).joined(separator: " with ")
            switch PreflightCheck.check(
                BrowserResponse(status: exchange.response.status, headerFields: fields), for: analysis,
                origin: probe.origin, credentials: credentials)
            {
            case .success: summary += " The preflight lets that page send \(asked)."
            case .failure(let failure):
                summary +=
                    " The browser still refuses \(asked) here (\(failure.code.rawValue)), but the origin check passed."
            }
        }
        if probe.id == .anySubdomain {
            summary += " Every subdomain is trusted: safe only while no subdomain can be taken over or serves XSS."
        }
        return Judgement(id: probe.id, severity: severity, summary: summary)
    }

    /// `*` with `true` (low: browsers refuse it), and `*` on a resource that sets cookies or is on a
    /// private or loopback address (medium).
    static func wildcard(_ exchange: AuditExchange, host: String) -> [Judgement] {
        let fields = exchange.response.headerFields
        guard fields[.accessControlAllowOrigin] == "*" else { return [] }
        var judgements: [Judgement] = []
        if fields[.accessControlAllowCredentials].map(HTTPFieldValue.lowercased) == "true" {
            judgements.append(
                Judgement(
                    id: .wildcardWithCredentials, severity: .low,
                    summary: "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`: browsers"
                        + " refuse every credentialed request (WildcardOriginNotAllowed); broken, not exploitable."))
        }
        guard exchange.kind == .get else { return judgements }
        var reasons: [String] = []
        if fields[.setCookie] != nil { reasons.append("sets cookies") }
        if PrivateAddress.isPrivate(host) { reasons.append("is on a private or loopback address (\(host))") }
        if !reasons.isEmpty {
            judgements.append(
                Judgement(
                    id: .wildcardPrivate, severity: .medium,
                    summary:
                        "`Access-Control-Allow-Origin: *` on a resource that \(reasons.joined(separator: " and ")):"
                        + " any website the user visits can read it."))
        }
        return judgements
    }

    /// A dynamic `Access-Control-Allow-Origin` (it differs between the GETs of one URL) on a
    /// response without `Vary: Origin`: the first such response, preferring one that carries an
    /// origin-specific value.
    static func missingVary(_ exchanges: [AuditExchange]) -> (AuditExchange, Judgement)? {
        let values = exchanges.map { $0.response.headerFields[.accessControlAllowOrigin] ?? "(none)" }
        let dynamic = Set(values).count > 1 && values.contains { $0 != "(none)" && $0 != "*" }
        guard dynamic else { return nil }
        let lacking = exchanges.filter { !varies($0.response.headerFields) }
        let specific = lacking.first {
            let value = $0.response.headerFields[.accessControlAllowOrigin]
            return value != nil && value != "*"
        }
        guard let evidence = specific ?? lacking.first else { return nil }
        let seen = Array(Set(values)).sorted().joined(separator: ", ")
        let origin = evidence.request.headerFields[.origin] ?? ""
        return (
            evidence,
            Judgement(
                id: .missingVary, severity: .medium,
                summary: "Access-Control-Allow-Origin changes with the Origin (seen: \(seen)) but the response to"
                    + " `Origin: \(origin)` has no `Vary: Origin`: a shared cache can serve one origin's answer to"
                    + " another.")
        )
    }

    /// Whether `Vary` lists `Origin` (or is `*`).
    static func varies(_ fields: HTTPFields) -> Bool {
        fields[values: .vary].contains { line in
            line.split(separator: ",").contains {
                let token = HTTPFieldValue.lowercased($0.trimmingSpaces)
                return token == "origin" || token == "*"
            }
        }
    }
}

/// Header value helpers (ASCII only, no Foundation).
enum HTTPFieldValue {
    static func lowercased(_ value: some StringProtocol) -> String {
        String(decoding: value.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var trimmed = self
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        return trimmed
    }
}
#endif
