import CORSSyntax
import HTTPTypes

/// What a passed preflight allowed, and for how long each engine caches it.
public struct PreflightResult: Sendable, Hashable {
    /// The status of the preflight response.
    public var status: Int
    /// Parsed `Access-Control-Allow-Methods` (byte-exact).
    public var allowMethods: [String]
    /// Parsed `Access-Control-Allow-Headers`, lowercased.
    public var allowHeaders: [String]
    /// The raw `Access-Control-Max-Age`, if sent.
    public var maxAge: String?
    /// How long Chromium, Firefox and WebKit cache the result.
    public var cacheLifetimes: PreflightCacheLifetimes
    /// Non-fatal findings.
    public var warnings: [String]
}

/// The check of a CORS-preflight response (https://fetch.spec.whatwg.org/#cors-preflight-fetch)
/// in Chromium's order (services/network/cors/preflight_controller.cc and preflight_result.cc):
///
/// 1. a redirect (301/302/303/307/308 with `Location`) → `PreflightDisallowedRedirect`, before
///    anything else (`PreflightLoader::HandleRedirect`);
/// 2. the CORS check, with preflight codes (`PreflightMissingAllowOriginHeader` whatever the status,
///    `PreflightMultipleAllowOriginValues`, `PreflightWildcardOriginNotAllowed`,
///    `PreflightAllowOriginMismatch`, `PreflightInvalidAllowCredentials`);
/// 3. status 200–299, else `PreflightInvalidStatus`;
/// 4. with Private Network Access, `Access-Control-Allow-Private-Network: true`;
/// 5. `Access-Control-Allow-Methods` / `-Headers` parsed as `#token` lists
///    (`InvalidAllowMethodsPreflightResponse` / `InvalidAllowHeadersPreflightResponse`);
/// 6. the method: listed byte-exact, safelisted, or `*` without credentials
///    (`MethodDisallowedByPreflightResponse`);
/// 7. each CORS-unsafe header name: listed case-insensitively, or `*` without credentials
///    (`HeaderDisallowedByPreflightResponse`). Chromium 156 lets `*` cover `Authorization`, which
///    the spec forbids (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name):
///    allowed, with a warning.
///
/// Only the first failure is reported.
public enum PreflightCheck {
    /// Checks a preflight response for an analyzed request.
    ///
    /// - Parameters:
    ///   - response: the preflight response.
    ///   - analysis: the actual request's method and headers.
    ///   - origin: the serialized origin the preflight carried.
    ///   - credentials: the actual request's credentials mode is `include`.
    ///   - privateNetwork: the preflight carried `Access-Control-Request-Private-Network: true`.
    ///   - addressSpace: the target address space, for PNA messages.
    public static func check(
        _ response: BrowserResponse,
        for analysis: RequestAnalysis,
        origin: String,
        credentials: Bool,
        privateNetwork: Bool = false,
        addressSpace: AddressSpace = .private
    ) -> Result<PreflightResult, CORSFailure> {
        let fields = response.headerFields
        if response.isRedirect {
            return .failure(
                CORSFailure(
                    .preflightDisallowedRedirect,
                    fix: "Answer the OPTIONS preflight itself with 2xx and the CORS headers instead of a"
                        + " \(response.status) redirect to '\(response.location ?? "")': preflights never follow"
                        + " redirects (or make the page request the final URL)."
                )
            )
        }
        if var failure = FetchCORSCheck.check(fields, origin: origin, credentials: credentials) {
            failure.code = failure.code.preflightVariant
            failure.fix += " This applies to the OPTIONS preflight response too."
            return .failure(failure)
        }
        guard (200...299).contains(response.status) else {
            return .failure(
                CORSFailure(
                    .preflightInvalidStatus,
                    fix: "Answer the OPTIONS preflight with status 204 (or 200) instead of \(response.status),"
                        + " before any authentication or routing that rejects OPTIONS."
                )
            )
        }
        if privateNetwork {
            let value = fields[.accessControlAllowPrivateNetwork]
            if value != "true" {
                return .failure(
                    CORSFailure(
                        value == nil ? .preflightMissingAllowPrivateNetwork : .preflightInvalidAllowPrivateNetwork,
                        failedParameter: value ?? "",
                        fix: "Send `Access-Control-Allow-Private-Network: true` on the preflight response.",
                        addressSpace: addressSpace
                    )
                )
            }
        }
        guard let methods = TokenList.parse(fields[.accessControlAllowMethods]) else {
            return .failure(
                CORSFailure(
                    .invalidAllowMethodsPreflightResponse,
                    fix: "Send `Access-Control-Allow-Methods` as a comma-separated list of methods, e.g."
                        + " `Access-Control-Allow-Methods: \(analysis.method)`; '\(fields[.accessControlAllowMethods] ?? "")'"
                        + " does not parse."
                )
            )
        }
        guard let headers = TokenList.parse(fields[.accessControlAllowHeaders])?.map(HTTPSyntax.lowercased) else {
            return .failure(
                CORSFailure(
                    .invalidAllowHeadersPreflightResponse,
                    fix: "Send `Access-Control-Allow-Headers` as a comma-separated list of header names, e.g."
                        + " `Access-Control-Allow-Headers: \(analysis.unsafeHeaderNames.joined(separator: ", "))`;"
                        + " '\(fields[.accessControlAllowHeaders] ?? "")' does not parse."
                )
            )
        }
        var warnings: [String] = []
        let methodAllowed =
            methods.contains(analysis.method) || CORSMethod.isSafelisted(analysis.method)
            || (!credentials && methods.contains("*"))
        guard methodAllowed else {
            var fix = "List the method byte for byte: `Access-Control-Allow-Methods: \(analysis.method)`"
            if credentials && methods.contains("*") {
                fix += " (`*` is a literal method name when the request includes credentials)"
            } else if methods.contains(where: { HTTPSyntax.equalsIgnoringCase($0, analysis.method) }) {
                fix += " (methods are case-sensitive)"
            }
            return .failure(
                CORSFailure(.methodDisallowedByPreflightResponse, failedParameter: analysis.method, fix: fix + ".")
            )
        }
        let wildcard = !credentials && headers.contains("*")
        if wildcard {
            if analysis.headers.contains(where: { $0.lowercasedName == "authorization" }),
                !headers.contains("authorization")
            {
                warnings.append(
                    "Access-Control-Allow-Headers: * covers Authorization in Chromium 156, but the Fetch standard"
                        + " excludes it (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name) and"
                        + " Firefox logs a deprecation warning: list Authorization explicitly"
                        + " (`Access-Control-Allow-Headers: *, Authorization`)."
                )
            }
        } else {
            for name in analysis.unsafeHeaderNames where !headers.contains(name) {
                var fix =
                    "Add \(name) to the preflight response: `Access-Control-Allow-Headers: "
                    + "\(analysis.unsafeHeaderNames.joined(separator: ", "))`"
                if credentials && headers.contains("*") {
                    fix += " (`*` is a literal header name when the request includes credentials)"
                }
                return .failure(
                    CORSFailure(.headerDisallowedByPreflightResponse, failedParameter: name, fix: fix + ".")
                )
            }
        }
        let maxAge = fields[.accessControlMaxAge]
        warnings += PreflightCacheLifetimes.warnings(maxAge: maxAge)
        if fields.contains(.accessControlExposeHeaders) {
            warnings.append(
                "Access-Control-Expose-Headers on a preflight response has no effect: send it on the actual response."
            )
        }
        return .success(
            PreflightResult(
                status: response.status,
                allowMethods: methods,
                allowHeaders: headers,
                maxAge: maxAge,
                cacheLifetimes: PreflightCacheLifetimes(maxAge: maxAge),
                warnings: warnings
            )
        )
    }
}
