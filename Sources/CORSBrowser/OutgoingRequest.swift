public import HTTPTypes

/// A request the caller must send for the browser model, then answer with ``BrowserExchange/receive(_:)``.
public struct OutgoingRequest: Sendable, Hashable {
    /// Whether this is a preflight or the actual request.
    public enum Kind: String, Sendable, Hashable {
        /// The CORS-preflight `OPTIONS` request.
        case preflight
        /// The request the page made (possibly after redirects).
        case actual
    }

    /// Preflight or actual.
    public var kind: Kind
    /// The absolute URL.
    public var url: String
    /// The method.
    public var method: String
    /// The header fields the browser sends (cookies and other network-stack headers aside).
    public var headerFields: HTTPFields
    /// Whether the browser would attach cookies/HTTP auth (never for a preflight).
    public var includeCredentials: Bool
    /// For a preflight, its full description.
    public var preflight: PreflightRequest?
}
