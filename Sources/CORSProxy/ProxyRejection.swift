#if Tools
public import HTTPTypes

/// A request the proxy refuses to carry, with the status, a message a developer can act on, and a
/// short reason used as the `reason` dimension of the rejection counter.
public struct ProxyRejection: Error, Sendable, CustomStringConvertible {
    /// The status of the answer: 4xx or 5xx for a refusal, 200 for the proxy's own pages (help, preflights).
    public let status: HTTPResponse.Status
    /// A short, stable token (`ssrf`, `rate-limited`, `bad-url`...): the `reason` label under which the
    /// rejection counter counts a refusal.
    public let reason: String
    /// The plain-text body of the answer.
    public let message: String
    /// Extra header fields of the answer (`Retry-After`).
    public var headerFields: HTTPFields = [:]

    /// Creates an answer without extra header fields.
    ///
    /// - Parameters:
    ///   - status: the status of the answer.
    ///   - reason: the short token the rejection counter counts a refusal under.
    ///   - message: the plain-text body.
    public init(_ status: HTTPResponse.Status, reason: String, _ message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }
}
#endif
