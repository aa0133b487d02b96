#if Tools
public import HTTPTypes

/// What came back for an ``AuditRequest``: the status and the header fields (the body is not
/// needed).
public struct AuditResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The header fields.
    public var headerFields: HTTPFields

    /// Creates a response.
    public init(status: Int, headerFields: HTTPFields = [:]) {
        self.status = status
        self.headerFields = headerFields
    }
}
#endif
