import HTTPTypes

/// The fields a response other than a preflight's gets, built once per policy for each combination
/// of what a decision can grant it: `Access-Control-Allow-Origin: *`, credentials, exposed headers,
/// and `Vary` (left out when the response has a `Vary` to merge into).
///
/// Why lists: the engine's commonest answer (an allowed actual request) then appends them without
/// testing the policy's optional fields one by one, and knows their count up front (one reservation).
/// (Appending a whole list through `replaceSubrange` would be one call, but swift-http-types'
/// `replaceSubrange` is generic and not inlinable: unspecialized, it cost 7,000 instructions.)
struct ActualResponseFields: Sendable {
    private let lists: [[HTTPField]]

    init(exposeHeaders: HTTPField?, vary: HTTPField?, allowCredentials: HTTPField, allowAnyOrigin: HTTPField) {
        lists = (0..<16).map { combination in
            var list: [HTTPField] = []
            if combination & Self.anyOrigin != 0 { list.append(allowAnyOrigin) }
            if combination & Self.credentials != 0 { list.append(allowCredentials) }
            if combination & Self.exposeHeaders != 0, let exposeHeaders { list.append(exposeHeaders) }
            if combination & Self.vary != 0, let vary { list.append(vary) }
            return list
        }
    }

    /// The list for a decision's parts; `Vary` only when `appendVary`. The parts must not include
    /// any preflight field (``CORSDecision/Parts/preflightOnly``).
    @inline(__always)
    func list(for parts: CORSDecision.Parts, appendVary: Bool) -> [HTTPField] {
        var combination = 0
        if parts.contains(.anyOrigin) { combination |= Self.anyOrigin }
        if parts.contains(.credentials) { combination |= Self.credentials }
        if parts.contains(.exposeHeaders) { combination |= Self.exposeHeaders }
        if appendVary, parts.contains(.varyActual) { combination |= Self.vary }
        return lists[combination]
    }

    private static let anyOrigin = 1
    private static let credentials = 2
    private static let exposeHeaders = 4
    private static let vary = 8
}
