import CORS
import CORSBrowser
import CORSCheck
import CORSHummingbird
import HTTPTypes
import Hummingbird
import Testing

let page = "http://127.0.0.1:5173"

/// Runs the checker for `request` with a fresh client.
func check(_ request: BrowserRequest, timeout: Duration = .seconds(10)) async throws -> CORSCheckResult {
    let configuration = CORSHTTPClient.Configuration(connectTimeout: .seconds(5), requestTimeout: timeout)
    return try await CORSHTTPClient.withClient(configuration: configuration) { client in
        try await CORSChecker(client: client).check(request)
    }
}

@Suite struct CORSCheckerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var path: String
        var method = "GET"
        var headers: [RequestHeader] = []
        var credentials = false
        var code: CORSErrorCode?
        var failedParameter: String?
        /// Methods sent, in order (`OPTIONS` for a preflight).
        var sent: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "ACAO = origin", path: query(["acao": page]), sent: ["GET"]),
        Case(label: "ACAO *", path: query(["acao": "*"]), sent: ["GET"]),
        Case(label: "no ACAO", path: query([:]), code: .missingAllowOriginHeader, failedParameter: "", sent: ["GET"]),
        Case(
            label: "ACAO with a trailing slash", path: query(["acao": page + "/"]), code: .allowOriginMismatch,
            failedParameter: page + "/", sent: ["GET"]),
        Case(
            label: "two ACAO lines", path: query(["acao": page, "acao": page]), code: .multipleAllowOriginValues,
            failedParameter: "\(page), \(page)", sent: ["GET"]),
        Case(
            label: "* with credentials", path: query(["acao": "*", "acac": "true"]), credentials: true,
            code: .wildcardOriginNotAllowed, failedParameter: "", sent: ["GET"]),
        Case(
            label: "ACAC TRUE", path: query(["acao": page, "acac": "TRUE"]), credentials: true,
            code: .invalidAllowCredentials, failedParameter: "TRUE", sent: ["GET"]),
        Case(
            label: "preflight lacks the header", path: query(["p_acao": page, "p_acah": "x-other", "acao": page]),
            headers: [RequestHeader("X-Custom", "1")], code: .headerDisallowedByPreflightResponse,
            failedParameter: "x-custom", sent: ["OPTIONS"]),
        Case(
            label: "preflight lacks the method", path: query(["p_acao": page, "p_acam": "GET, POST"]), method: "PUT",
            code: .methodDisallowedByPreflightResponse, failedParameter: "PUT", sent: ["OPTIONS"]),
        Case(
            label: "preflight refused with 403", path: query(["p_status": "403"]), method: "DELETE",
            code: .preflightMissingAllowOriginHeader, failedParameter: "", sent: ["OPTIONS"]),
        Case(
            label: "preflight passes, then the actual request",
            path: query(["p_acao": page, "p_acam": "PUT", "acao": page]),
            method: "PUT", sent: ["OPTIONS", "PUT"]),
        Case(
            label: "preflight redirected", path: query(["p_status": "302", "p_location": "/elsewhere"]), method: "PUT",
            code: .preflightDisallowedRedirect, failedParameter: "", sent: ["OPTIONS"]),
        Case(
            label: "redirect followed on the same server",
            path: query(["status": "302", "acao": page, "location": query(["acao": page], path: "/next")]),
            sent: ["GET", "GET"]),
        Case(
            label: "redirect without ACAO is not followed", path: query(["status": "307", "location": "/next"]),
            code: .missingAllowOriginHeader, failedParameter: "", sent: ["GET"]),
        Case(
            label: "Authorization covered by * (allowed, with a warning)",
            path: query(["p_acao": page, "p_acah": "*", "acao": page]), headers: [RequestHeader("Authorization", "x")],
            sent: ["OPTIONS", "GET"]),
    ]

    @Test(arguments: cases)
    func handMadeServer(_ testCase: Case) async throws {
        let result = try await withServer(handMade) { base in
            try await check(
                BrowserRequest(
                    url: base + testCase.path, origin: page, method: testCase.method, headers: testCase.headers,
                    credentials: testCase.credentials))
        }
        #expect(result.allowed == (testCase.code == nil))
        #expect(result.verdict.reason == testCase.code)
        #expect(result.verdict.failedParameter == testCase.failedParameter)
        #expect(result.exchanges.map(\.method) == testCase.sent)
        #expect(result.exchanges.allSatisfy { $0.requestHeaderFields[.origin] == page })
        #expect((result.serverFix == nil) == result.allowed)
    }

    @Test func wildcardWithCredentialsSaysChromiumsTextAndAConcreteFix() async throws {
        let result = try await withServer(handMade) { base in
            try await check(
                BrowserRequest(url: base + query(["acao": "*", "acac": "true"]), origin: page, credentials: true))
        }
        #expect(result.verdict.reason == .wildcardOriginNotAllowed)
        #expect(
            result.verdict.message.hasSuffix(
                "has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response"
                    + " must not be the wildcard '*' when the request's credentials mode is 'include'."))
        let fix = try #require(result.serverFix)
        #expect(fix.responseFields[.accessControlAllowOrigin] == page)
        #expect(fix.responseFields[.accessControlAllowCredentials] == "true")
        #expect(fix.responseFields[.vary] == "Origin")
        let snippets = Dictionary(uniqueKeysWithValues: fix.snippets.map { ($0.key, $0.code) })
        #expect(snippets["policy"]?.contains("\"origins\": [\"\(page)\"]") == true)
        #expect(snippets["policy"]?.contains("\"credentials\": true") == true)
        #expect(snippets["hummingbird"]?.contains("CORSHummingbirdMiddleware(CORSConfiguration(") == true)
        #expect(snippets["vapor"]?.contains("allowedOrigin: .custom(\"\(page)\")") == true)
        #expect(snippets["express"]?.contains("credentials: true") == true)
        #expect(snippets["nginx"]?.contains("add_header Access-Control-Allow-Origin \"\(page)\" always;") == true)
        #expect(result.report.contains("Chromium says: Access to fetch at"))
        #expect(result.json.rendered().contains("\"reason\":\"WildcardOriginNotAllowed\""))
    }

    @Test func preflightLackingAHeaderNamesIt() async throws {
        let result = try await withServer(handMade) { base in
            try await check(
                BrowserRequest(
                    url: base + query(["p_acao": page, "p_acam": "PUT", "p_acah": "X-A"]), origin: page, method: "PUT",
                    headers: [RequestHeader("X-A", "1"), RequestHeader("X-B", "2")]))
        }
        #expect(result.verdict.reason == .headerDisallowedByPreflightResponse)
        #expect(result.verdict.failedParameter == "x-b")
        #expect(
            result.verdict.message.hasSuffix(
                "Request header field x-b is not allowed by Access-Control-Allow-Headers in preflight response."))
        #expect(result.verdict.fix.contains("x-b"))
        let fix = try #require(result.serverFix)
        #expect(fix.preflightResponseFields[.accessControlAllowHeaders] == "x-a, x-b")
        #expect(fix.preflightResponseFields[.accessControlAllowMethods] == "PUT")
        #expect(fix.snippets.first { $0.key == "nginx" }?.code.contains("return 204;") == true)
        let preflight = try #require(result.exchanges.first)
        #expect(preflight.kind == .preflight)
        #expect(preflight.requestHeaderFields[.accessControlRequestHeaders] == "x-a,x-b")
        #expect(preflight.requestHeaderFields[.accessControlRequestMethod] == "PUT")
    }

    @Test func crossOriginRedirectTaintsTheOrigin() async throws {
        // 127.0.0.1 → localhost: the same server, another origin; the second hop carries `Origin: null`.
        let result = try await withServer(handMade) { base in
            let port = base.split(separator: ":").last!
            let target = "http://localhost:\(port)" + query(["acao": page])
            return try await check(
                BrowserRequest(url: base + query(["status": "302", "acao": page, "location": target]), origin: page))
        }
        #expect(result.verdict.reason == .allowOriginMismatch)
        #expect(result.verdict.failedParameter == page)
        #expect(result.exchanges.map { $0.requestHeaderFields[.origin] } == [page, "null"])
        #expect(result.verdict.message.contains("(redirected from '"))
        #expect(result.serverFix == nil)
    }

    @Test func authorizationUnderWildcardWarns() async throws {
        let result = try await withServer(handMade) { base in
            try await check(
                BrowserRequest(
                    url: base + query(["p_acao": page, "p_acah": "*", "acao": page]), origin: page,
                    headers: [RequestHeader("Authorization", "Bearer x")]))
        }
        #expect(result.allowed)
        #expect(result.verdict.warnings.contains { $0.contains("Authorization") && $0.contains("Firefox") })
        #expect(result.report.contains("warning: "))
    }

    @Test func exposedHeadersFollowTheActualResponse() async throws {
        let result = try await withServer(handMade) { base in
            try await check(BrowserRequest(url: base + query(["acao": page, "aceh": "X-Secret"]), origin: page))
        }
        #expect(result.verdict.exposedHeaders.contains("x-secret"))
        #expect(result.report.contains("Readable response headers:"))
    }

    /// Our own Hummingbird middleware, checked end to end.
    @Test func policyMiddlewareAllowsWhatItMeans() async throws {
        let (allowed, refused) = try await withRouter({ router in
            router.add(
                middleware: try CORSHummingbirdMiddleware(
                    CORSConfiguration(
                        origins: [page], methods: ["GET", "PUT"], allowedHeaders: ["X-Custom"],
                        exposedHeaders: ["X-Total"], credentials: true)))
            router.put("/items") { _, _ in Response(status: .ok, headers: [HTTPField.Name("X-Total")!: "3"]) }
        }) { base in
            let request = BrowserRequest(
                url: base + "/items", origin: page, method: "PUT", headers: [RequestHeader("X-Custom", "1")],
                credentials: true)
            var other = request
            other.origin = "https://evil.example"
            return (try await check(request), try await check(other))
        }
        #expect(allowed.allowed)
        #expect(allowed.exchanges.map(\.method) == ["OPTIONS", "PUT"])
        #expect(allowed.verdict.exposedHeaders.contains("x-total"))
        #expect(!refused.allowed)
        #expect(refused.verdict.reason == .preflightMissingAllowOriginHeader)
        #expect(refused.exchanges.first?.response.status == 403)
    }
}

@Suite struct CORSCheckErrorTests {
    @Test func closedPortIsANetworkError() async throws {
        let error = await #expect(throws: CORSCheckError.self) {
            try await check(BrowserRequest(url: "http://127.0.0.1:1/", origin: page))
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.message.contains("127.0.0.1:1") == true)
    }

    @Test func slowServerTimesOut() async throws {
        let error = try await withServer(handMade) { base in
            await #expect(throws: CORSCheckError.self) {
                try await check(
                    BrowserRequest(url: base + query(["sleep": "3000", "acao": page]), origin: page),
                    timeout: .milliseconds(300))
            }
        }
        #expect(error?.kind == .timeout)
    }

    struct InvalidInput: Sendable, CustomTestStringConvertible {
        var url: String
        var origin = page
        var method = "GET"
        var headers: [RequestHeader] = []
        var kind: CORSCheckError.Kind
        var testDescription: String { "\(url) \(origin) \(method) \(headers.map(\.name))" }
    }

    static let invalid: [InvalidInput] = [
        InvalidInput(url: "127.0.0.1:8080/x", kind: .invalidURL),
        InvalidInput(url: "ftp://127.0.0.1/x", kind: .invalidURL),
        InvalidInput(url: "http://user:pw@127.0.0.1/x", kind: .invalidURL),
        InvalidInput(url: "http://127.0.0.1:99999/x", kind: .invalidURL),
        InvalidInput(url: "http://127.0.0.1:1/", origin: "localhost:3000", kind: .invalidOrigin),
        InvalidInput(url: "http://127.0.0.1:1/", method: "CONNECT", kind: .invalidRequest),
        InvalidInput(url: "http://127.0.0.1:1/", method: "GE T", kind: .invalidRequest),
        InvalidInput(url: "http://127.0.0.1:1/", headers: [RequestHeader("X Bad", "1")], kind: .invalidRequest),
        InvalidInput(url: "http://127.0.0.1:1/", headers: [RequestHeader("X-A", "a\nb")], kind: .invalidRequest),
    ]

    @Test(arguments: invalid)
    func invalidInputIsRefusedBeforeSending(_ input: InvalidInput) async throws {
        let error = await #expect(throws: CORSCheckError.self) {
            try await check(
                BrowserRequest(url: input.url, origin: input.origin, method: input.method, headers: input.headers))
        }
        #expect(error?.kind == input.kind)
        #expect(error?.message.isEmpty == false)
    }
}

@Suite struct CORSCheckTLSTests {
    /// https:// to a port that speaks plain HTTP: the handshake fails.
    @Test func plainHTTPPortIsATLSFailure() async throws {
        let error = try await withServer(handMade) { base in
            await #expect(throws: CORSCheckError.self) {
                try await check(
                    BrowserRequest(url: base.replacingPrefix("http://", with: "https://") + "/api", origin: page))
            }
        }
        #expect(error?.kind == .tlsFailure)
        #expect(error?.message.contains("TLS") == true)
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}

/// The client on its own, as `cors audit` uses it: one request, exactly as given, no redirects followed.
@Suite struct CORSHTTPClientTests {
    @Test func sendsOneRequestAndReturnsRedirectsAsTheyAre() async throws {
        let response = try await withServer(handMade) { base in
            try await CORSHTTPClient.withClient { client in
                var headers = HTTPFields()
                headers[.origin] = "https://evil.example"
                return try await client.send(
                    method: "GET",
                    url: base + query(["status": "302", "location": "/x", "acao": "https://evil.example"]),
                    headers: headers)
            }
        }
        #expect(response.status == 302)
        #expect(response.headerFields[.location] == "/x")
        #expect(response.headerFields[.accessControlAllowOrigin] == "https://evil.example")
        #expect(response.version == "HTTP/1.1")
    }

    @Test func invalidMethodIsRefused() async throws {
        let error = await #expect(throws: CORSCheckError.self) {
            try await CORSHTTPClient.withClient { client in
                try await client.send(method: "G T", url: "http://127.0.0.1:1/", headers: [:])
            }
        }
        #expect(error?.kind == .invalidRequest)
    }
}
