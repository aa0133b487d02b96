#if Tools
/// Why an audit could not run: bad options, or a server that could not be reached at all.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One sentence saying what went wrong and what to do.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// A request that took longer than ``AuditOptions/timeout``.
struct AuditTimeout: Error, CustomStringConvertible {
    var duration: Duration
    var description: String { "no response within \(duration)" }
}
#endif
