#if Tools
public import HTTPTypes

/// A request the auditor sends: a method, an absolute URL and header fields, no body.
public struct AuditRequest: Sendable, Hashable {
    /// The method (`GET` for simple probes, `OPTIONS` for preflights).
    public var method: HTTPRequest.Method
    /// The absolute URL.
    public var url: String
    /// The header fields, `Origin` included.
    public var headerFields: HTTPFields

    /// Creates a request.
    public init(method: HTTPRequest.Method, url: String, headerFields: HTTPFields = [:]) {
        self.method = method
        self.url = url
        self.headerFields = headerFields
    }
}
#endif
