/// A request `fetch()` rejects before anything is sent, with the `TypeError` Chromium raises
/// ("Failed to execute 'fetch' on 'Window': ...").
public struct RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text after "TypeError: Failed to execute 'fetch' on 'Window': ".
    public var reason: String

    /// Creates an error.
    public init(_ reason: String) {
        self.reason = reason
    }

    /// The whole console text.
    public var description: String {
        "TypeError: Failed to execute 'fetch' on 'Window': \(reason)"
    }
}
