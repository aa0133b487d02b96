#if Tools
import CORS
import CORSBrowser
import HTTPTypes

/// The state of one audit run: requests sent, findings so far.
struct AuditRun {
    private struct FindingKey: Hashable {
        var id: AuditFindingID
        var url: String
    }

    private struct HitKey: Hashable {
        var id: AuditFindingID
        var url: String
        var kind: AuditExchange.Kind
    }

    /// Probes not worth sending once one of these was found for the same URL and kind.
    private static let impliedBy: [AuditFindingID: [AuditFindingID]] = [
        .prefixMatch: [.reflectAnyOrigin],
        .suffixMatch: [.reflectAnyOrigin],
        .unescapedDot: [.reflectAnyOrigin],
        .substringMatch: [.reflectAnyOrigin],
        .specialChars: [.reflectAnyOrigin, .prefixMatch],
        .anySubdomain: [.reflectAnyOrigin, .suffixMatch],
        .httpOriginTrusted: [.reflectAnyOrigin],
        .thirdPartyOrigin: [.reflectAnyOrigin],
    ]

    let auditor: Auditor
    private var report: AuditReport
    private var findings: [FindingKey: AuditFinding] = [:]
    private var hits: Set<HitKey> = []
    private var getExchanges: [String: [AuditExchange]] = [:]
    private var lastStart: ContinuousClock.Instant?
    private let analysis: RequestAnalysis?

    init(auditor: Auditor) {
        self.auditor = auditor
        report = AuditReport(url: auditor.options.url, siteOrigin: auditor.site.description)
        let headers = auditor.options.preflightHeaders.map { RequestHeader($0, "application/json") }
        analysis = try? RequestAnalysis(method: auditor.options.preflightMethod, headers: headers)
    }

    private var options: AuditOptions { auditor.options }
    private var budgetLeft: Bool { report.requestsSent < options.budget }

    mutating func execute() async throws(AuditError) -> AuditReport {
        var urls: [BrowserURL] = []
        for target in auditor.targets {
            if let url = await baseline(target) { urls.append(url) }
        }
        guard !urls.isEmpty else {
            throw AuditError(
                "could not audit \(options.url): "
                    + (report.errors.isEmpty
                        ? "no request could be sent"
                        : report.errors.joined(separator: "; ")))
        }
        for url in urls { await baselinePreflight(url) }
        let probes = ProbePlanner.probes(for: auditor.site)
        for pass in [false, true] {
            for probe in probes where probe.optional == pass {
                for url in urls {
                    for kind in pass ? [AuditExchange.Kind.get] : [.get, .preflight] {
                        await send(probe, to: url.description, as: kind)
                    }
                }
            }
        }
        for url in urls {
            if let (evidence, judgement) = ProbeJudge.missingVary(getExchanges[url.description] ?? []) {
                record(judgement, origin: evidence.request.headerFields[.origin] ?? "", url: url.description, evidence)
            }
        }
        if report.probesSkipped > 0 {
            report.notes.append(
                "the budget of \(options.budget) requests ran out: \(report.probesSkipped) probe(s) not sent"
                    + " (raise --budget)")
        }
        report.findings = findings.values.sorted { lhs, rhs in
            if lhs.severity != rhs.severity { return lhs.severity > rhs.severity }
            let order = AuditFindingID.all
            let left = order.firstIndex(of: lhs.id) ?? order.count
            let right = order.firstIndex(of: rhs.id) ?? order.count
            if left != right { return left < right }
            return lhs.url < rhs.url
        }
        return report
    }

    // MARK: - Baseline

    /// `GET` from the site's origin, following same-site redirects; the URL to probe, or `nil`
    /// when it failed.
    private mutating func baseline(_ target: String) async -> BrowserURL? {
        guard var url = BrowserURL(target) else { return nil }
        var hops = 0
        while true {
            let request = getRequest(url.description, origin: auditor.site.description)
            guard let response = await exchange(request, what: "baseline GET") else { return nil }
            let exchange = AuditExchange(kind: .get, request: request, response: response)
            if (300...399).contains(response.status), let location = response.headerFields[.location],
                let next = url.resolving(location), next.isHTTP
            {
                if !RegistrableDomain.same(next.host, url.host) {
                    report.notes.append(
                        "\(url) redirects to \(next), another registered domain: not followed; probing \(url) itself")
                } else if hops >= options.maxRedirects {
                    report.notes.append("\(url): more than \(options.maxRedirects) redirects; probing \(url) itself")
                } else if budgetLeft {
                    report.notes.append("\(url) redirects to \(next): probing \(next)")
                    hops += 1
                    url = next
                    continue
                }
            }
            observe(exchange, url: url.description)
            report.notes.append("baseline: " + Self.describe(exchange, origin: auditor.site.description))
            if response.headerFields[.accessControlAllowOrigin] == nil, options.trustedOrigin != nil {
                report.notes.append(
                    "\(auditor.site) is not allowed on \(url): if the site has another origin, name it with"
                        + " --trusted-origin (probes are built from it)")
            }
            return url
        }
    }

    /// A preflight from the site's origin, to tell whether the server answers preflights at all.
    private mutating func baselinePreflight(_ url: BrowserURL) async {
        let request = preflightRequest(url.description, origin: auditor.site.description)
        guard let response = await exchange(request, what: "baseline preflight") else { return }
        let exchange = AuditExchange(kind: .preflight, request: request, response: response)
        observe(exchange, url: url.description)
        var line = "baseline preflight: " + Self.describe(exchange, origin: auditor.site.description)
        if let analysis {
            let browserResponse = BrowserResponse(status: response.status, headerFields: response.headerFields)
            switch PreflightCheck.check(
                browserResponse, for: analysis, origin: auditor.site.description, credentials: false)
            {
            case .success: line += "; a browser would send the \(options.preflightMethod)"
            case .failure(let failure):
                line += "; a browser would refuse the \(options.preflightMethod) (\(failure.code.rawValue))"
            }
        }
        report.notes.append(line)
    }

    private static func describe(_ exchange: AuditExchange, origin: String) -> String {
        let fields = exchange.response.headerFields
        let verb = exchange.kind == .get ? "GET" : "preflight"
        var text = "\(verb) \(exchange.request.url) from \(origin): status \(exchange.response.status), "
        switch fields[.accessControlAllowOrigin] {
        case nil: text += "no Access-Control-Allow-Origin (the origin is not allowed)"
        case "*": text += "Access-Control-Allow-Origin: * (public)"
        case let value?:
            text += "Access-Control-Allow-Origin: \(value)"
            if let credentials = fields[.accessControlAllowCredentials] {
                text += ", Access-Control-Allow-Credentials: \(credentials)"
            }
        }
        return text
    }

    // MARK: - Probes

    private mutating func send(_ probe: AuditProbe, to url: String, as kind: AuditExchange.Kind) async {
        let implied = (Self.impliedBy[probe.id] ?? []) + [probe.id]
        if implied.contains(where: { hits.contains(HitKey(id: $0, url: url, kind: kind)) }) { return }
        guard budgetLeft else {
            report.probesSkipped += 1
            if !probe.optional { report.requiredProbesSkipped += 1 }
            return
        }
        let request =
            kind == .get ? getRequest(url, origin: probe.origin) : preflightRequest(url, origin: probe.origin)
        guard let response = await exchange(request, what: "\(kind) with Origin \(probe.origin)") else { return }
        let exchange = AuditExchange(kind: kind, request: request, response: response)
        observe(exchange, url: url)
        if let judgement = ProbeJudge.trusted(probe, exchange, preflightFor: analysis) {
            hits.insert(HitKey(id: probe.id, url: url, kind: kind))
            record(judgement, origin: probe.origin, url: url, exchange)
        }
    }

    /// Judges what every response can show (`*`), and keeps GETs for the `Vary` check.
    private mutating func observe(_ exchange: AuditExchange, url: String) {
        let host = BrowserURL(url)?.host ?? ""
        for judgement in ProbeJudge.wildcard(exchange, host: host) {
            record(judgement, origin: exchange.request.headerFields[.origin] ?? "", url: url, exchange)
        }
        if exchange.kind == .get { getExchanges[url, default: []].append(exchange) }
    }

    private mutating func record(
        _ judgement: ProbeJudge.Judgement, origin: String, url: String, _ exchange: AuditExchange
    ) {
        let key = FindingKey(id: judgement.id, url: url)
        if var existing = findings[key] {
            if !existing.seenIn.contains(exchange.kind) { existing.seenIn.append(exchange.kind) }
            if judgement.severity > existing.severity {
                existing.severity = judgement.severity
                existing.origin = origin
                existing.evidence = exchange
                existing.summary = judgement.summary
            }
            findings[key] = existing
            return
        }
        findings[key] = AuditFinding(
            id: judgement.id, severity: judgement.severity, origin: origin, url: url, evidence: exchange,
            seenIn: [exchange.kind], summary: judgement.summary, rule: judgement.id.rule,
            policy: judgement.id.policyFix(siteOrigin: auditor.site.description))
    }

    // MARK: - Requests

    private func getRequest(_ url: String, origin: String) -> AuditRequest {
        var fields: HTTPFields = [.origin: origin]
        fields.append(contentsOf: options.headerFields.filter { $0.name != .origin })
        return AuditRequest(method: .get, url: url, headerFields: fields)
    }

    private func preflightRequest(_ url: String, origin: String) -> AuditRequest {
        var fields: HTTPFields = [.origin: origin, .accessControlRequestMethod: options.preflightMethod]
        let names = options.preflightHeaders.map(HTTPFieldValue.lowercased)
        if let list = PreflightRequest.accessControlRequestHeaders(names) {
            fields[.accessControlRequestHeaders] = list
        }
        return AuditRequest(method: .options, url: url, headerFields: fields)
    }

    /// Sends within the budget and the rate; `nil` (and an error noted) when it failed.
    private mutating func exchange(_ request: AuditRequest, what: String) async -> AuditResponse? {
        guard budgetLeft else {
            report.probesSkipped += 1
            return nil
        }
        if let rate = options.rate, let last = lastStart {
            try? await Task.sleep(until: last.advanced(by: .seconds(1 / rate)), clock: .continuous)
        }
        lastStart = .now
        report.requestsSent += 1
        do {
            return try await auditor.send(request)
        } catch {
            let message = "\(error)"
            report.errors.append(
                message.contains(request.url) ? "\(what): \(message)" : "\(what) \(request.url): \(message)")
            return nil
        }
    }
}
#endif
