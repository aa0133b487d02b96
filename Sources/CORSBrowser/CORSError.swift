/// Chromium's reason codes for a blocked CORS request: the DevTools protocol's
/// `Network.CorsError` (https://chromedevtools.github.io/devtools-protocol/tot/Network/#type-CorsError),
/// with the raw values exactly as CDP reports them in `corsErrorStatus.corsError`.
public enum CORSErrorCode: String, Sendable, Hashable, CaseIterable {
    /// The request mode forbids a cross-origin fetch (`mode: 'same-origin'`); not produced by the browser model,
    /// which does not model request modes.
    case disallowedByMode = "DisallowedByMode"
    /// Chromium found the response itself invalid ("The response is invalid."); not produced by the browser model.
    case invalidResponse = "InvalidResponse"
    /// `Access-Control-Allow-Origin: *` on a response to a request with credentials mode `include`.
    case wildcardOriginNotAllowed = "WildcardOriginNotAllowed"
    /// The response (or a redirect the request would follow) carries no `Access-Control-Allow-Origin`.
    case missingAllowOriginHeader = "MissingAllowOriginHeader"
    /// `Access-Control-Allow-Origin` holds several values: it contains a space or a comma, as several field
    /// lines combine to `a, b`; `failedParameter` is the combined value.
    case multipleAllowOriginValues = "MultipleAllowOriginValues"
    /// `Access-Control-Allow-Origin` differs from the origin and is neither `null` nor a URL;
    /// `failedParameter` is the value.
    case invalidAllowOriginValue = "InvalidAllowOriginValue"
    /// `Access-Control-Allow-Origin` is one well-formed value (or `null`) not byte-equal to the request's
    /// serialized origin; `failedParameter` is the value.
    case allowOriginMismatch = "AllowOriginMismatch"
    /// With credentials mode `include`, `Access-Control-Allow-Credentials` is not exactly `true`;
    /// `failedParameter` is its value, `""` when absent.
    case invalidAllowCredentials = "InvalidAllowCredentials"
    /// A cross-origin request, or any redirect, to a URL whose scheme is not `http` or `https`.
    case corsDisabledScheme = "CorsDisabledScheme"
    /// The preflight response passed the CORS check but its status is outside 200–299.
    case preflightInvalidStatus = "PreflightInvalidStatus"
    /// The preflight response is a redirect (a redirect status with a non-empty `Location`); preflights
    /// never follow redirects.
    case preflightDisallowedRedirect = "PreflightDisallowedRedirect"
    /// ``CORSErrorCode/wildcardOriginNotAllowed``, found on the preflight response.
    case preflightWildcardOriginNotAllowed = "PreflightWildcardOriginNotAllowed"
    /// ``CORSErrorCode/missingAllowOriginHeader``, found on the preflight response (whatever its status).
    case preflightMissingAllowOriginHeader = "PreflightMissingAllowOriginHeader"
    /// ``CORSErrorCode/multipleAllowOriginValues``, found on the preflight response.
    case preflightMultipleAllowOriginValues = "PreflightMultipleAllowOriginValues"
    /// ``CORSErrorCode/invalidAllowOriginValue``, found on the preflight response.
    case preflightInvalidAllowOriginValue = "PreflightInvalidAllowOriginValue"
    /// ``CORSErrorCode/allowOriginMismatch``, found on the preflight response.
    case preflightAllowOriginMismatch = "PreflightAllowOriginMismatch"
    /// ``CORSErrorCode/invalidAllowCredentials``, found on the preflight response.
    case preflightInvalidAllowCredentials = "PreflightInvalidAllowCredentials"
    /// A Private Network Access preflight (``BrowserRequest/privateNetwork``) got no
    /// `Access-Control-Allow-Private-Network` header.
    case preflightMissingAllowPrivateNetwork = "PreflightMissingAllowPrivateNetwork"
    /// A Private Network Access preflight got `Access-Control-Allow-Private-Network` with a value other
    /// than `true`; `failedParameter` is the value.
    case preflightInvalidAllowPrivateNetwork = "PreflightInvalidAllowPrivateNetwork"
    /// The preflight's `Access-Control-Allow-Methods` does not parse as a comma-separated token list.
    case invalidAllowMethodsPreflightResponse = "InvalidAllowMethodsPreflightResponse"
    /// The preflight's `Access-Control-Allow-Headers` does not parse as a comma-separated token list.
    case invalidAllowHeadersPreflightResponse = "InvalidAllowHeadersPreflightResponse"
    /// The request's method is not safelisted, not listed byte for byte in `Access-Control-Allow-Methods`,
    /// and not covered by `*` (which counts only without credentials); `failedParameter` is the method.
    case methodDisallowedByPreflightResponse = "MethodDisallowedByPreflightResponse"
    /// A CORS-unsafe request header is not listed in `Access-Control-Allow-Headers` and not covered by `*`
    /// (which counts only without credentials); `failedParameter` is the lowercased header name.
    case headerDisallowedByPreflightResponse = "HeaderDisallowedByPreflightResponse"
    /// A redirect's `Location` carries `user:password@` and is cross-origin to the page (or the origin is
    /// already tainted); `failedParameter` is that URL.
    case redirectContainsCredentials = "RedirectContainsCredentials"
    /// Private Network Access: a non-secure context requests a more private address space; not produced by
    /// the browser model.
    case insecurePrivateNetwork = "InsecurePrivateNetwork"
    /// Private Network Access: the resource's address space differs from the request's target address space;
    /// not produced by the browser model.
    case invalidPrivateNetworkAccess = "InvalidPrivateNetworkAccess"
    /// Private Network Access: a request without a target address space reached a private resource;
    /// not produced by the browser model.
    case unexpectedPrivateNetworkAccess = "UnexpectedPrivateNetworkAccess"
    /// A `no-cors` request with a redirect mode other than `follow` was redirected; not produced by the
    /// browser model, which models CORS requests only.
    case noCorsRedirectModeNotFollow = "NoCorsRedirectModeNotFollow"

    /// Whether Chromium prefixes the console text with "Response to preflight request doesn't
    /// pass access control check: " (`IsPreflightError` in cors_error_string.cc).
    public var isPreflightError: Bool {
        switch self {
        case .preflightWildcardOriginNotAllowed, .preflightMissingAllowOriginHeader,
            .preflightMultipleAllowOriginValues, .preflightInvalidAllowOriginValue, .preflightAllowOriginMismatch,
            .preflightInvalidAllowCredentials, .preflightInvalidStatus, .preflightDisallowedRedirect,
            .preflightMissingAllowPrivateNetwork, .preflightInvalidAllowPrivateNetwork:
            return true
        default:
            return false
        }
    }

    /// The preflight variant of a CORS-check code (Chromium's `CheckPreflightAccess` maps the
    /// CORS check of a preflight response this way); other codes are returned unchanged.
    public var preflightVariant: CORSErrorCode {
        switch self {
        case .wildcardOriginNotAllowed: return .preflightWildcardOriginNotAllowed
        case .missingAllowOriginHeader: return .preflightMissingAllowOriginHeader
        case .multipleAllowOriginValues: return .preflightMultipleAllowOriginValues
        case .invalidAllowOriginValue: return .preflightInvalidAllowOriginValue
        case .allowOriginMismatch: return .preflightAllowOriginMismatch
        case .invalidAllowCredentials: return .preflightInvalidAllowCredentials
        default: return self
        }
    }

    /// The schemes Chromium lists for `CorsDisabledScheme` (`SchemeRegistry::ListOfCorsEnabledURLSchemes`);
    /// the order may differ between builds.
    static let corsEnabledSchemes = "chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app"

    /// The console text after "has been blocked by CORS policy: ", worded as Chromium 156 words
    /// it for a `fetch()` (third_party/blink/renderer/platform/loader/cors/cors_error_string.cc,
    /// `GetErrorString`, with the initiator `fetch`).
    ///
    /// - Parameters:
    ///   - failedParameter: CDP's `failedParameter` (the ACAO value, the method, the header name...).
    ///   - addressSpace: the target address space, for the Private Network Access codes.
    public func consoleReason(failedParameter: String, addressSpace: AddressSpace = .private) -> String {
        let hint = failedParameter
        // Chromium 156 ends these texts with this sentence only; it no longer suggests 'no-cors'
        // (Tests/Browser/CHROMIUM-FINDINGS.md).
        let validValue = " Have the server send the header with a valid value."
        let prefix = isPreflightError ? "Response to preflight request doesn't pass access control check: " : ""
        let space = addressSpace.rawValue
        let body: String
        switch self {
        case .disallowedByMode:
            body = "Cross origin requests are not allowed by request mode."
        case .invalidResponse:
            body = "The response is invalid."
        case .insecurePrivateNetwork:
            body =
                "The request client is not a secure context and the resource is in more-private address space `\(space)`."
        case .wildcardOriginNotAllowed, .preflightWildcardOriginNotAllowed:
            body =
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*'"
                + " when the request's credentials mode is 'include'."
        case .missingAllowOriginHeader, .preflightMissingAllowOriginHeader:
            body =
                "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        case .multipleAllowOriginValues, .preflightMultipleAllowOriginValues:
            body =
                "The 'Access-Control-Allow-Origin' header contains multiple values '\(hint)', but only one is allowed."
                + validValue
        case .invalidAllowOriginValue, .preflightInvalidAllowOriginValue:
            body = "The 'Access-Control-Allow-Origin' header contains the invalid value '\(hint)'." + validValue
        case .allowOriginMismatch, .preflightAllowOriginMismatch:
            body =
                "The 'Access-Control-Allow-Origin' header has a value '\(hint)' that is not equal to the supplied origin."
                + validValue
        case .invalidAllowCredentials, .preflightInvalidAllowCredentials:
            body =
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '\(hint)' which must"
                + " be 'true' when the request's credentials mode is 'include'."
        case .corsDisabledScheme:
            body = "Cross origin requests are only supported for protocol schemes: \(Self.corsEnabledSchemes)."
        case .preflightInvalidStatus:
            body = "It does not have HTTP ok status."
        case .preflightDisallowedRedirect:
            body = "Redirect is not allowed for a preflight request."
        case .preflightMissingAllowPrivateNetwork:
            body =
                "No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this"
                + " private network request targeting the `\(space)` address space."
        case .preflightInvalidAllowPrivateNetwork:
            body =
                "The 'Access-Control-Allow-Private-Network' header in the preflight response for this private"
                + " network request targeting the `\(space)` address space had a value of '\(hint)',  not 'true'."
        case .invalidAllowMethodsPreflightResponse:
            body = "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
        case .invalidAllowHeadersPreflightResponse:
            body = "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
        case .methodDisallowedByPreflightResponse:
            body = "Method \(hint) is not allowed by Access-Control-Allow-Methods in preflight response."
        case .headerDisallowedByPreflightResponse:
            body = "Request header field \(hint) is not allowed by Access-Control-Allow-Headers in preflight response."
        case .redirectContainsCredentials:
            body =
                "Redirect location '\(hint)' contains a username and password, which is disallowed for"
                + " cross-origin requests."
        case .invalidPrivateNetworkAccess:
            body =
                "Request had a target IP address space of `\(space)` yet the resource is in address space `\(space)`."
        case .unexpectedPrivateNetworkAccess:
            body = "Request had no target IP address space, yet the resource is in address space `\(space)`."
        case .noCorsRedirectModeNotFollow:
            body = "Redirect is not allowed for no-cors requests with redirect mode other than 'follow'."
        }
        return prefix + body
    }

    /// The whole console line Chromium logs for a blocked `fetch()`:
    /// `Access to fetch at 'URL' [(redirected from 'FIRST') ]from origin 'ORIGIN' has been blocked by CORS policy: REASON`.
    public func consoleMessage(
        url: String,
        redirectedFrom initialURL: String? = nil,
        origin: String,
        failedParameter: String,
        addressSpace: AddressSpace = .private
    ) -> String {
        var line = "Access to fetch at '\(url)' "
        if let initialURL, initialURL != url {
            line += "(redirected from '\(initialURL)') "
        }
        line += "from origin '\(origin)' has been blocked by CORS policy: "
        return line + consoleReason(failedParameter: failedParameter, addressSpace: addressSpace)
    }
}
