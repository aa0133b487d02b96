#if Tools
/// Why `cors check` (or a probe sent with ``CORSHTTPClient``) could not get an answer: the
/// request could not be built or the network failed. A browser *verdict* is never an error.
///
/// Errors can grow: compare ``kind`` with the static members of ``CORSCheckError/Kind``.
public struct CORSCheckError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a value that can grow without breaking the API.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidURL, invalidOrigin, invalidRequest, connectionFailed, hostNotFound, tlsFailure, timeout
            case connectionClosed, invalidResponse, other
        }

        private let base: Base

        /// The URL does not parse, is not `http:`/`https:`, or carries `user:password@`.
        public static let invalidURL = Kind(base: .invalidURL)
        /// The origin is not a serialized `http(s)` origin nor `null`.
        public static let invalidOrigin = Kind(base: .invalidOrigin)
        /// `fetch()` would reject the request before sending it (a bad method or header).
        public static let invalidRequest = Kind(base: .invalidRequest)
        /// No connection could be made (refused, unreachable).
        public static let connectionFailed = Kind(base: .connectionFailed)
        /// The host name does not resolve.
        public static let hostNotFound = Kind(base: .hostNotFound)
        /// The TLS handshake failed (certificate, protocol).
        public static let tlsFailure = Kind(base: .tlsFailure)
        /// Connecting or answering took longer than the configured timeout.
        public static let timeout = Kind(base: .timeout)
        /// The server closed the connection before a complete response.
        public static let connectionClosed = Kind(base: .connectionClosed)
        /// The server's answer is not valid HTTP.
        public static let invalidResponse = Kind(base: .invalidResponse)
        /// Anything else.
        public static let other = Kind(base: .other)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var kind: Kind
    /// A sentence for a person: what failed, where, and what to try.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
#endif
