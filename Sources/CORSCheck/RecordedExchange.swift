#if Tools
public import CORSBrowser
public import HTTPTypes

/// One request the checker sent, as the browser would, and the response head it got.
public struct RecordedExchange: Sendable, Hashable {
    /// Preflight or actual request.
    public var kind: OutgoingRequest.Kind
    /// The method sent.
    public var method: String
    /// The absolute URL.
    public var url: String
    /// The header fields sent (without `Host`, which the client adds).
    public var requestHeaderFields: HTTPFields
    /// The response head.
    public var response: CORSHTTPClient.Response

    /// Creates a record.
    public init(
        kind: OutgoingRequest.Kind,
        method: String,
        url: String,
        requestHeaderFields: HTTPFields,
        response: CORSHTTPClient.Response
    ) {
        self.kind = kind
        self.method = method
        self.url = url
        self.requestHeaderFields = requestHeaderFields
        self.response = response
    }
}
#endif
