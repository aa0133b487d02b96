public import CORS
public import HTTPTypes

/// What every decision must satisfy whatever the request: an allowed cross-origin request gets
/// exactly one `Access-Control-Allow-Origin`, equal to its Origin or `*`, and never `*` together
/// with credentials.
public func checkDecision(_ decision: CORSDecision, request: HTTPFields) {
    var response = HTTPFields()
    decision.apply(to: &response)
    let allowOrigin = response[values: .accessControlAllowOrigin]
    require(allowOrigin.count <= 1, "several ACAO fields: \(allowOrigin)")
    let credentials = response[.accessControlAllowCredentials] == "true"
    if let value = allowOrigin.first, value == "*" {
        require(!credentials, "ACAO * with credentials")
    } else if let value = allowOrigin.first {
        require(request[values: .origin].count == 1, "ACAO \(value) for a request without one Origin")
        require(value == request[.origin], "ACAO \(value) is not the request's Origin \(request[.origin] ?? "")")
    }
    if decision.isAllowed { require(allowOrigin.count == 1, "allowed without ACAO") }
}

/// Evaluates synchronously, answering a predicate with `false`.
public func decideNow(_ policy: CORSPolicy, method: HTTPRequest.Method, path: String?, fields: HTTPFields)
    -> CORSDecision
{
    switch policy.evaluate(method: method, path: path, headerFields: fields) {
    case .decided(let decision): decision
    case .needsOriginPredicate(let pending): pending.resolve(originAllowed: false)
    }
}
