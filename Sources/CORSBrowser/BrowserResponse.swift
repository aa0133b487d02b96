public import HTTPTypes

/// A response the caller received, fed back into ``BrowserExchange``.
public struct BrowserResponse: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// The header fields; several lines of one name are kept (the model combines them with
    /// `", "` as Chromium does).
    public var headerFields: HTTPFields

    /// Creates a response.
    public init(status: Int, headerFields: HTTPFields = [:]) {
        self.status = status
        self.headerFields = headerFields
    }

    /// The `Location` value, if any.
    public var location: String? { headerFields[.location] }

    /// Whether the network stack treats it as a redirect: a redirect status with a non-empty `Location`.
    public var isRedirect: Bool {
        RedirectPolicy.isRedirect(status: status) && !(location ?? "").isEmpty
    }
}
