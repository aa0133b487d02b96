import CORSSyntax
public import HTTPTypes

/// The CORS-preflight request exactly as Chromium sends it
/// (https://fetch.spec.whatwg.org/#cors-preflight-fetch; `CreatePreflightRequest` in
/// services/network/cors/preflight_controller.cc): `OPTIONS`, no credentials, `Accept: */*`,
/// `Access-Control-Request-Method`, `Access-Control-Request-Headers` only when there are
/// CORS-unsafe names, `Access-Control-Request-Private-Network: true` for Private Network
/// Access, `Origin`, and `Sec-Fetch-Mode: cors`.
public struct PreflightRequest: Sendable, Hashable {
    /// The URL of the actual request.
    public var url: String
    /// The serialized origin sent (`null` after a tainting redirect).
    public var origin: String
    /// The value of `Access-Control-Request-Method`: the actual request's normalized method.
    public var requestMethod: String
    /// The value of `Access-Control-Request-Headers`, or `nil` when it is not sent.
    public var requestHeaders: String?
    /// Whether `Access-Control-Request-Private-Network: true` is sent.
    public var privateNetwork: Bool

    /// Always `OPTIONS`.
    public var method: String { "OPTIONS" }

    /// Creates the preflight for an analyzed request.
    public init(url: String, origin: String, analysis: RequestAnalysis, privateNetwork: Bool = false) {
        self.url = url
        self.origin = origin
        self.requestMethod = analysis.method
        self.requestHeaders = Self.accessControlRequestHeaders(analysis.unsafeHeaderNames)
        self.privateNetwork = privateNetwork
    }

    /// The header fields, in Chromium's order.
    public var headerFields: HTTPFields {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .accept, value: "*/*"))
        fields.append(HTTPField(name: .accessControlRequestMethod, value: requestMethod))
        if let requestHeaders {
            fields.append(HTTPField(name: .accessControlRequestHeaders, value: requestHeaders))
        }
        if privateNetwork {
            fields.append(HTTPField(name: .accessControlRequestPrivateNetwork, value: "true"))
        }
        fields.append(HTTPField(name: .origin, value: origin))
        fields.append(HTTPField(name: .secFetchMode, value: "cors"))
        return fields
    }

    /// `Access-Control-Request-Headers` for a set of unsafe names: lowercased, deduplicated,
    /// sorted, joined by `,` without spaces; `nil` when there are none.
    public static func accessControlRequestHeaders(_ names: [String]) -> String? {
        let set = Set(names.map(HTTPSyntax.lowercased))
        guard !set.isEmpty else { return nil }
        return set.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.joined(separator: ",")
    }
}
