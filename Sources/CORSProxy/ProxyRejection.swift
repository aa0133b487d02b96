public import HTTPTypes

/// A request the proxy refuses to carry, with the status, a message a developer can act on, and a
/// short reason used as the `reason` dimension of the rejection counter.
public struct ProxyRejection: Error, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let reason: String
    public let message: String
    /// Extra header fields of the answer (`Retry-After`).
    public var headerFields: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, reason: String, _ message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }
}
