import CORSBrowser
import HTTPTypes
import Testing

/// Drives an exchange with canned responses and records what the model asked to send.
func drive(_ request: BrowserRequest, _ responses: [BrowserResponse]) -> (BrowserVerdict?, [OutgoingRequest]) {
    var exchange = BrowserExchange(request)
    var sent: [OutgoingRequest] = []
    var remaining = responses[...]
    while let outgoing = exchange.nextRequest, let next = remaining.popFirst() {
        sent.append(outgoing)
        exchange.receive(next)
    }
    return (exchange.verdict, sent)
}

/// `"METHOD URL origin"` for each request sent (`-` when no Origin header).
func summary(_ sent: [OutgoingRequest]) -> [String] {
    sent.map { "\($0.method) \($0.url) \($0.headerFields[.origin] ?? "-")" }
}

@Suite struct BrowserExchangeTests {
    struct Case: Sendable, CustomStringConvertible {
        let label: String
        let request: BrowserRequest
        let responses: [BrowserResponse]
        let allowed: Bool
        let reason: CORSErrorCode?
        let failedParameter: String?
        let sent: [String]
        var description: String { label }
    }

    static let acao = ("Access-Control-Allow-Origin", appOrigin)
    static let other = "https://other.example/next"

    static func redirect(_ status: Int, to location: String, _ extra: [(String, String)] = [acao]) -> BrowserResponse {
        response(status, extra + [("Location", location)])
    }

    static let cases: [Case] = [
        Case(
            label: "simple GET allowed",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [response(200, [acao])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "simple GET without ACAO",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [response(200)],
            allowed: false, reason: .missingAllowOriginHeader, failedParameter: "",
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "same-origin GET is not CORS",
            request: BrowserRequest(url: "https://app.example/api", origin: appOrigin),
            responses: [response(200)],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["GET https://app.example/api -"]
        ),
        Case(
            label: "Range bytes=0-10 goes without preflight",
            request: BrowserRequest(url: apiURL, origin: appOrigin, headers: [RequestHeader("Range", "bytes=0-10")]),
            responses: [response(206, [acao])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "PUT preflight then actual",
            request: BrowserRequest(url: apiURL, origin: appOrigin, method: "put"),
            responses: [response(204, [acao, ("Access-Control-Allow-Methods", "PUT")]), response(200, [acao])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["OPTIONS \(apiURL) \(appOrigin)", "PUT \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "preflight refused with 403 and no ACAO",
            request: BrowserRequest(url: apiURL, origin: appOrigin, method: "DELETE"),
            responses: [response(403)],
            allowed: false, reason: .preflightMissingAllowOriginHeader, failedParameter: "",
            sent: ["OPTIONS \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "preflight redirected",
            request: BrowserRequest(url: apiURL, origin: appOrigin, method: "DELETE"),
            responses: [redirect(302, to: other)],
            allowed: false, reason: .preflightDisallowedRedirect, failedParameter: "",
            sent: ["OPTIONS \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "actual response fails after a passed preflight",
            request: BrowserRequest(url: apiURL, origin: appOrigin, method: "PUT"),
            responses: [response(204, [acao, ("Access-Control-Allow-Methods", "PUT")]), response(200)],
            allowed: false, reason: .missingAllowOriginHeader, failedParameter: "",
            sent: ["OPTIONS \(apiURL) \(appOrigin)", "PUT \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "302 without ACAO fails before being followed",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(302, to: other, [])],
            allowed: false, reason: .missingAllowOriginHeader, failedParameter: "",
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "cross-origin hop taints: real origin then refused",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(302, to: other), response(200, [acao])],
            allowed: false, reason: .allowOriginMismatch, failedParameter: appOrigin,
            sent: ["GET \(apiURL) \(appOrigin)", "GET \(other) null"]
        ),
        Case(
            label: "tainted request allowed by ACAO null",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(301, to: other), response(200, [("Access-Control-Allow-Origin", "null")])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["GET \(apiURL) \(appOrigin)", "GET \(other) null"]
        ),
        Case(
            label: "tainted request allowed by *",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(307, to: other), response(200, [("Access-Control-Allow-Origin", "*")])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["GET \(apiURL) \(appOrigin)", "GET \(other) null"]
        ),
        Case(
            label: "same-server hop does not taint",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(302, to: "/v2/data"), response(200, [acao])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["GET \(apiURL) \(appOrigin)", "GET https://api.example/v2/data \(appOrigin)"]
        ),
        Case(
            label: "same-origin request redirected cross-origin becomes CORS, untainted",
            request: BrowserRequest(url: "https://app.example/go", origin: appOrigin),
            responses: [redirect(302, to: apiURL, []), response(200)],
            allowed: false, reason: .missingAllowOriginHeader, failedParameter: "",
            sent: ["GET https://app.example/go -", "GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "PUT 307 cross-origin is preflighted again with Origin null",
            request: BrowserRequest(url: apiURL, origin: appOrigin, method: "PUT"),
            responses: [
                response(204, [acao, ("Access-Control-Allow-Methods", "PUT")]),
                redirect(307, to: other),
                response(204, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")]),
                response(200, [("Access-Control-Allow-Origin", "*")]),
            ],
            allowed: true, reason: nil, failedParameter: nil,
            sent: [
                "OPTIONS \(apiURL) \(appOrigin)", "PUT \(apiURL) \(appOrigin)", "OPTIONS \(other) null",
                "PUT \(other) null",
            ]
        ),
        Case(
            label: "POST 302 becomes GET",
            request: BrowserRequest(
                url: apiURL, origin: appOrigin, method: "POST", headers: [RequestHeader("Content-Type", "text/plain")]),
            responses: [redirect(302, to: "/done"), response(200, [acao])],
            allowed: true, reason: nil, failedParameter: nil,
            sent: ["POST \(apiURL) \(appOrigin)", "GET https://api.example/done \(appOrigin)"]
        ),
        Case(
            label: "redirect to a URL with credentials",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(302, to: "https://u:p@other.example/")],
            allowed: false, reason: .redirectContainsCredentials, failedParameter: "https://u:p@other.example/",
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "redirect to ftp",
            request: BrowserRequest(url: apiURL, origin: appOrigin),
            responses: [redirect(302, to: "ftp://files.example/f")],
            allowed: false, reason: .corsDisabledScheme, failedParameter: "",
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "private network GET is preflighted",
            request: BrowserRequest(url: apiURL, origin: appOrigin, privateNetwork: true),
            responses: [response(204, [acao])],
            allowed: false, reason: .preflightMissingAllowPrivateNetwork, failedParameter: "",
            sent: ["OPTIONS \(apiURL) \(appOrigin)"]
        ),
        Case(
            label: "credentials with wildcard",
            request: BrowserRequest(url: apiURL, origin: appOrigin, credentials: true),
            responses: [
                response(200, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")])
            ],
            allowed: false, reason: .wildcardOriginNotAllowed, failedParameter: "",
            sent: ["GET \(apiURL) \(appOrigin)"]
        ),
    ]

    @Test(arguments: cases)
    func exchange(_ testCase: Case) throws {
        let (verdict, sent) = drive(testCase.request, testCase.responses)
        let result = try #require(verdict)
        #expect(result.allowed == testCase.allowed)
        #expect(result.reason == testCase.reason)
        #expect(result.failedParameter == testCase.failedParameter)
        #expect(summary(sent) == testCase.sent)
        if let reason = testCase.reason {
            #expect(result.message.hasPrefix("Access to fetch at '\(result.finalURL)' "))
            #expect(result.message.contains("from origin '\(appOrigin)' has been blocked by CORS policy: "))
            #expect(result.message.hasSuffix(reason.consoleReason(failedParameter: testCase.failedParameter ?? "")))
            #expect(!result.fix.isEmpty)
        } else if testCase.allowed {
            #expect(result.fix.isEmpty)
        }
    }

    @Test func preflightCarriesExactlyChromiumsHeaders() throws {
        let request = BrowserRequest(
            url: apiURL,
            origin: appOrigin,
            method: "PATCH",
            headers: [
                RequestHeader("X-B", "1"), RequestHeader("Content-Type", "application/json"),
                RequestHeader("Accept", "application/json"), RequestHeader("x-a", "2"),
            ],
            credentials: true,
            privateNetwork: true
        )
        let outgoing = try #require(BrowserExchange(request).nextRequest)
        #expect(outgoing.kind == .preflight)
        #expect(outgoing.method == "OPTIONS")
        #expect(!outgoing.includeCredentials)
        #expect(
            outgoing.headerFields.map { "\($0.name): \($0.value)" } == [
                "Accept: */*",
                "Access-Control-Request-Method: PATCH",
                "Access-Control-Request-Headers: content-type,x-a,x-b",
                "Access-Control-Request-Private-Network: true",
                "Origin: https://app.example",
                "Sec-Fetch-Mode: cors",
            ]
        )
    }

    @Test func noRequestHeadersFieldWithoutUnsafeNames() throws {
        let outgoing = try #require(
            BrowserExchange(BrowserRequest(url: apiURL, origin: appOrigin, method: "DELETE")).nextRequest)
        #expect(outgoing.headerFields[.accessControlRequestHeaders] == nil)
        #expect(outgoing.headerFields[.accessControlRequestMethod] == "DELETE")
    }

    @Test func authorizationIsDroppedOnCrossOriginHop() throws {
        let request = BrowserRequest(
            url: apiURL, origin: appOrigin, headers: [RequestHeader("Authorization", "Bearer t")])
        let (verdict, sent) = drive(
            request,
            [
                response(204, [Self.acao, ("Access-Control-Allow-Headers", "authorization")]),
                Self.redirect(302, to: Self.other),
                response(200, [("Access-Control-Allow-Origin", "*")]),
            ]
        )
        #expect(
            summary(sent) == ["OPTIONS \(apiURL) \(appOrigin)", "GET \(apiURL) \(appOrigin)", "GET \(Self.other) null"])
        #expect(sent[1].headerFields[.authorization] == "Bearer t")
        #expect(sent[2].headerFields[.authorization] == nil)
        let result = try #require(verdict)
        #expect(result.allowed)
        #expect(result.redirects == [Self.other])
        #expect(result.warnings.contains { $0.contains("Authorization is removed") })
        #expect(result.warnings.contains { $0.contains("tainted") })
    }

    @Test func redirectedFailureNamesBothURLs() throws {
        let (verdict, _) = drive(
            BrowserRequest(url: apiURL, origin: appOrigin),
            [Self.redirect(302, to: Self.other), response(200)]
        )
        let result = try #require(verdict)
        #expect(
            result.message.hasPrefix(
                "Access to fetch at '\(Self.other)' (redirected from '\(apiURL)') from origin '\(appOrigin)' has been"
                    + " blocked by CORS policy: No 'Access-Control-Allow-Origin' header"
            )
        )
    }

    @Test(arguments: [(20, true), (21, false)])
    func redirectLimit(_ hops: Int, _ allowed: Bool) throws {
        let redirects = (1...hops).map { Self.redirect(302, to: "/hop\($0)") }
        let (verdict, sent) = drive(
            BrowserRequest(url: apiURL, origin: appOrigin), redirects + [response(200, [Self.acao])])
        let result = try #require(verdict)
        #expect(result.allowed == allowed)
        #expect(sent.count == min(hops + 1, 21))
        if !allowed {
            #expect(result.reason == nil)
            #expect(result.message.contains("ERR_TOO_MANY_REDIRECTS"))
        }
    }

    @Test func authorizationCoveredByWildcardIsAllowedWithWarning() throws {
        let (verdict, _) = drive(
            BrowserRequest(url: apiURL, origin: appOrigin, headers: [RequestHeader("Authorization", "Bearer t")]),
            [response(204, [Self.acao, ("Access-Control-Allow-Headers", "*")]), response(200, [Self.acao])]
        )
        let result = try #require(verdict)
        #expect(result.allowed)
        #expect(result.preflight?.request.requestHeaders == "authorization")
        #expect(result.warnings.contains { $0.contains("Firefox") && $0.contains("Authorization") })
    }

    @Test func forbiddenHeaderIsDroppedNotSent() throws {
        let (verdict, sent) = drive(
            BrowserRequest(
                url: apiURL, origin: appOrigin,
                headers: [RequestHeader("Cookie", "a=b"), RequestHeader("Origin", "https://evil.example")]),
            [response(200, [Self.acao])]
        )
        #expect(sent.count == 1)
        #expect(sent[0].headerFields[.cookie] == nil)
        #expect(sent[0].headerFields[.origin] == appOrigin)
        let result = try #require(verdict)
        #expect(result.allowed)
        #expect(result.preflight == nil)
        #expect(result.warnings.filter { $0.contains("forbidden request header") }.count == 2)
    }

    @Test func verdictReportsPreflightAndExposedHeaders() throws {
        let (verdict, sent) = drive(
            BrowserRequest(url: apiURL, origin: appOrigin, method: "PUT", credentials: true),
            [
                response(
                    204,
                    [
                        Self.acao, ("Access-Control-Allow-Credentials", "true"),
                        ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "86400"),
                    ]),
                response(
                    200,
                    [
                        Self.acao, ("Access-Control-Allow-Credentials", "true"),
                        ("Access-Control-Expose-Headers", "X-Total"), ("X-Total", "1"), ("X-Hidden", "1"),
                        ("Content-Type", "text/plain"),
                    ]),
            ]
        )
        #expect(sent[1].includeCredentials)
        let result = try #require(verdict)
        #expect(result.allowed)
        #expect(result.exposedHeaders == ["content-type", "x-total"])
        #expect(result.preflight?.status == 204)
        #expect(result.preflight?.result?.allowMethods == ["PUT"])
        #expect(result.cacheLifetimes == PreflightCacheLifetimes(maxAge: "86400"))
        #expect(result.cacheLifetimes?.chromium == 7200)
        #expect(result.warnings.contains { $0.contains("capped to 7200") })
    }

    @Test(arguments: [
        ("not a url", "Failed to parse URL from not a url"),
        (
            "https://u:p@api.example/",
            "Request cannot be constructed from a URL that includes credentials: https://u:p@api.example/"
        ),
    ])
    func invalidURLIsATypeError(_ url: String, _ reason: String) throws {
        let verdict = try #require(BrowserExchange(BrowserRequest(url: url, origin: appOrigin)).verdict)
        #expect(!verdict.allowed)
        #expect(verdict.requestError?.reason == reason)
        #expect(verdict.reason == nil)
    }

    @Test func invalidHeaderNameIsATypeError() throws {
        let verdict = try #require(
            BrowserExchange(BrowserRequest(url: apiURL, origin: appOrigin, headers: [RequestHeader("X Bad", "1")]))
                .verdict
        )
        #expect(verdict.requestError?.reason == "'X Bad' is not a valid HTTP header field name.")
    }

    @Test func evaluateDrivesTheWholeExchange() {
        let verdict = BrowserExchange.evaluate(BrowserRequest(url: apiURL, origin: appOrigin, method: "DELETE")) {
            outgoing in
            outgoing.kind == .preflight
                ? response(204, [Self.acao, ("Access-Control-Allow-Methods", "DELETE")])
                : response(204, [Self.acao])
        }
        #expect(verdict.allowed)
        #expect(verdict.preflights.count == 1)
    }
}
