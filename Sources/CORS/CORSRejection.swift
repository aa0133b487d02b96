/// Why a request got no CORS permission: loggable, and safe to log (the request's bytes are escaped).
public struct CORSRejection: Sendable, Equatable, CustomStringConvertible {
    /// Which check refused the request. The raw values are stable: logs show them as `cors.reason`.
    public enum Reason: String, Sendable, Equatable {
        /// A well-formed `Origin` that no origin entry allows, or that the origin predicate refused.
        case originNotAllowed
        /// `Origin: null` without ``CORSConfiguration/allowNullOrigin`` (for a WebSocket upgrade, even
        /// when the origins are `*`).
        case nullOriginNotAllowed
        /// An `Origin` that is not a serialized origin (`scheme://host[:port]`), when the origins are not `*`.
        case malformedOrigin
        /// The request carries more than one `Origin` field.
        case multipleOriginHeaders
        /// A preflight's `Access-Control-Request-Method` is a method the policy does not allow.
        case methodNotAllowed
        /// A preflight's `Access-Control-Request-Method` is empty, not a method token, or in several fields.
        case malformedRequestMethod
        /// A preflight asks for a request header the policy does not allow.
        case headerNotAllowed
        /// A preflight asks for `Authorization` and the allowed headers have `*` but do not name it.
        case authorizationNotCoveredByWildcard
        /// An item of a preflight's `Access-Control-Request-Headers` is not a header name (an HTTP token).
        case malformedRequestHeaders
        /// A preflight's `Access-Control-Request-Headers` has more than 16 empty items (`a,,,,b`).
        case tooManyEmptyRequestHeaderItems
        /// A preflight's `Access-Control-Request-Headers` fields are longer than 4096 bytes together;
        /// refused unread.
        case requestHeadersTooLong
        /// The request's path selects different routes as servers read it differently (an encoded
        /// `/` or `\`, a `\`, `;parameters`, `..` after an empty segment): answered 400.
        case ambiguousPath
        /// The request's path has an invalid percent escape or a control byte, and the policy has
        /// routes: answered 400.
        case malformedPath
    }

    /// Which check refused the request: what code reacting to a refusal matches on.
    public let reason: Reason
    /// The offending value, as received (a slice of the request's header, never copied).
    public let value: Substring

    /// A refusal for `reason`.
    ///
    /// - Parameters:
    ///   - reason: Which check refused the request.
    ///   - value: The offending value, as received; ``description`` escapes it.
    public init(_ reason: Reason, value: Substring) {
        self.reason = reason
        self.value = value
    }

    public var description: String {
        let shown = Self.escaped(value)
        switch reason {
        case .originNotAllowed: return "origin '\(shown)' is not allowed by the policy"
        case .nullOriginNotAllowed: return "origin 'null' is not allowed (set allowNullOrigin to accept it)"
        case .malformedOrigin: return "origin '\(shown)' is not a serialized origin (scheme://host[:port])"
        case .multipleOriginHeaders: return "the request carries several Origin headers"
        case .methodNotAllowed: return "method '\(shown)' is not allowed by the policy"
        case .malformedRequestMethod: return "Access-Control-Request-Method '\(shown)' is not a method token"
        case .headerNotAllowed: return "request header '\(shown)' is not allowed by the policy"
        case .authorizationNotCoveredByWildcard:
            return "request header 'authorization' must be listed by name: '*' does not cover it"
        case .malformedRequestHeaders:
            return "Access-Control-Request-Headers item '\(shown)' is not a header name"
        case .tooManyEmptyRequestHeaderItems: return "Access-Control-Request-Headers has too many empty items"
        case .requestHeadersTooLong: return "Access-Control-Request-Headers is longer than the policy accepts"
        case .ambiguousPath:
            return "path '\(shown)' selects different routes depending on how the server reads it"
                + " (an encoded '/' or '\\', a '\\', ';' parameters, or '..' after an empty segment)"
        case .malformedPath: return "path '\(shown)' has an invalid percent escape or a control byte"
        }
    }

    static func escaped(_ value: Substring) -> String {
        BoundedExcerpt.escaped(value)
    }

}
