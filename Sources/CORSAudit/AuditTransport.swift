#if Tools
/// Sends one audit request and returns the response, without following redirects.
///
/// ``Auditor`` is transport-agnostic: the `cors` tool plugs in an HTTP client, tests plug in an
/// in-process server or a closure. A transport must not add `Origin`, cookies or CORS headers of
/// its own, and must return redirects as they are (the auditor decides which ones to follow).
public protocol AuditTransport: Sendable {
    /// Sends `request`; throws on a network error or a timeout.
    func send(_ request: AuditRequest) async throws -> AuditResponse
}
#endif
