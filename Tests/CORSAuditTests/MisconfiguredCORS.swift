import HTTPTypes
import Hummingbird

/// Hand-written CORS middleware that gets it wrong on purpose, one way per fixture.
struct MisconfiguredCORS<Context: RequestContext>: RouterMiddleware {
    /// Which origins it trusts (echoes into `Access-Control-Allow-Origin`).
    var trusts: @Sendable (String) -> Bool
    /// Sends `Access-Control-Allow-Credentials: true` with every CORS answer.
    var credentials = true
    /// Sends `Vary: Origin`.
    var vary = true
    /// Sends `Access-Control-Allow-Origin: *` to everyone instead of echoing.
    var wildcard = false
    /// Sets a session cookie on every response.
    var setCookie = false
    /// Trusts any origin on preflights, whatever `trusts` says.
    var looseOnPreflight = false

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var fields = HTTPFields()
            decorate(&fields, origin: origin, preflight: true)
            if fields[.accessControlAllowOrigin] != nil {
                fields[.accessControlAllowMethods] = "GET, POST, PUT, DELETE"
                fields[.accessControlAllowHeaders] = "content-type, authorization"
            }
            return Response(status: .noContent, headers: fields)
        }
        var response = try await next(request, context)
        decorate(&response.headers, origin: origin, preflight: false)
        return response
    }

    private func decorate(_ fields: inout HTTPFields, origin: String?, preflight: Bool) {
        if setCookie { fields[.setCookie] = "session=abc123; Path=/; HttpOnly" }
        if wildcard {
            fields[.accessControlAllowOrigin] = "*"
        } else if let origin, trusts(origin) || (preflight && looseOnPreflight) {
            fields[.accessControlAllowOrigin] = origin
        }
        if fields[.accessControlAllowOrigin] != nil, credentials {
            fields[.accessControlAllowCredentials] = "true"
        }
        if vary, !wildcard { fields[.vary] = "Origin" }
    }
}

/// The host part of a serialized origin (`https://a.b:1` → `a.b:1`), or the origin itself.
func host(of origin: String) -> String {
    guard let range = origin.firstRange(of: "://") else { return origin }
    return String(origin[range.upperBound...])
}
