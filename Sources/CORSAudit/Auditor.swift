#if Tools
import CORSBrowser
import HTTPTypes

/// Probes a live server for the CORS misconfigurations of CORS-RULES.md ("Security
/// misconfigurations") and reports what it finds.
///
/// A run sends, for each path: a baseline `GET` and preflight from the site's own origin (following
/// same-site redirects), then every probe origin of ``ProbePlanner`` as a `GET` (with the extra
/// headers: cookies, tokens) and as a preflight (`OPTIONS` asking for ``AuditOptions/preflightMethod``
/// and ``AuditOptions/preflightHeaders``, without credentials, as a browser sends it), most important
/// probes first, until the budget runs out. Probes implied by a finding (every narrower origin check
/// once any origin is reflected) are not sent.
///
/// ```swift
/// let auditor = try Auditor(options: AuditOptions(url: "https://api.example.com/me"), transport: client)
/// let report = try await auditor.run()
/// ```
public struct Auditor: Sendable {
    /// The options.
    public let options: AuditOptions
    /// The origin probes are built from.
    public let site: SiteOrigin
    /// The URLs probed (the target, then the extra paths), before redirects.
    public let targets: [String]
    let transport: any AuditTransport

    /// Validates `options`.
    public init(options: AuditOptions, transport: any AuditTransport) throws(AuditError) {
        guard let target = BrowserURL(options.url), target.isHTTP, target.userinfo == nil else {
            throw AuditError(
                "'\(options.url)' is not an absolute http(s) URL; give one such as https://api.example.com/")
        }
        if let trusted = options.trustedOrigin {
            guard let site = SiteOrigin(trusted), let parsed = BrowserURL(trusted), parsed.path == "/",
                parsed.query == nil, parsed.userinfo == nil
            else {
                throw AuditError(
                    "--trusted-origin '\(trusted)' is not an origin; give scheme://host[:port] such as"
                        + " https://app.example.com")
            }
            self.site = site
        } else {
            self.site = SiteOrigin(target)
        }
        guard options.budget >= 1 else { throw AuditError("--budget must be at least 1, not \(options.budget)") }
        if let rate = options.rate, !(rate > 0) {
            throw AuditError("--rate must be a positive number of requests per second, not \(rate)")
        }
        guard options.timeout > .zero else { throw AuditError("the timeout must be positive") }
        var targets = [target.description]
        for path in options.paths {
            guard path.hasPrefix("/"), let resolved = target.resolving(path) else {
                throw AuditError("--path '\(path)' must be a path starting with `/`, such as /api/me")
            }
            if !targets.contains(resolved.description) { targets.append(resolved.description) }
        }
        self.options = options
        self.transport = transport
        self.targets = targets
    }

    /// Runs the audit. Throws only when no baseline request got an answer (nothing to audit);
    /// failed probes are listed in ``AuditReport/errors``.
    public func run() async throws(AuditError) -> AuditReport {
        var run = AuditRun(auditor: self)
        return try await run.execute()
    }

    /// Sends `request` within the timeout.
    func send(_ request: AuditRequest) async throws -> AuditResponse {
        let transport = self.transport
        let timeout = options.timeout
        return try await withThrowingTaskGroup(of: AuditResponse.self) { group in
            group.addTask { try await transport.send(request) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw AuditTimeout(duration: timeout)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }
}
#endif
