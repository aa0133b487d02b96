import CORSBrowser
import HTTPTypes
import Testing

@Suite struct PreflightCheckTests {
    struct Case: Sendable, CustomStringConvertible {
        let label: String
        let method: String
        let headers: [RequestHeader]
        let credentials: Bool
        let privateNetwork: Bool
        let status: Int
        let response: [(String, String)]
        let code: CORSErrorCode?
        let failedParameter: String
        let warning: String?
        var description: String { label }

        init(
            _ label: String,
            method: String = "PUT",
            headers: [RequestHeader] = [],
            credentials: Bool = false,
            privateNetwork: Bool = false,
            status: Int = 204,
            _ response: [(String, String)],
            _ code: CORSErrorCode?,
            _ failedParameter: String = "",
            warning: String? = nil
        ) {
            self.label = label
            self.method = method
            self.headers = headers
            self.credentials = credentials
            self.privateNetwork = privateNetwork
            self.status = status
            self.response = response
            self.code = code
            self.failedParameter = failedParameter
            self.warning = warning
        }
    }

    static let acao = ("Access-Control-Allow-Origin", appOrigin)
    static let acac = ("Access-Control-Allow-Credentials", "true")
    static let auth = [RequestHeader("Authorization", "Bearer t")]
    static let custom = [RequestHeader("X-Custom", "1")]

    static let cases: [Case] = [
        Case("PUT listed", [acao, ("Access-Control-Allow-Methods", "PUT")], nil),
        Case("403 without ACAO", status: 403, [], .preflightMissingAllowOriginHeader),
        Case(
            "200 without ACAO", status: 200, [("Access-Control-Allow-Methods", "PUT")],
            .preflightMissingAllowOriginHeader),
        Case("500 with ACAO", status: 500, [acao, ("Access-Control-Allow-Methods", "PUT")], .preflightInvalidStatus),
        Case("404 with ACAO", status: 404, [acao], .preflightInvalidStatus),
        Case("302 with Location", status: 302, [acao, ("Location", "/elsewhere")], .preflightDisallowedRedirect),
        Case(
            "301 without ACAO but Location", status: 301, [("Location", "https://api.example/x")],
            .preflightDisallowedRedirect),
        Case("304 is not followed: invalid status", status: 304, [acao], .preflightInvalidStatus),
        Case("two ACAO lines", [acao, acao], .preflightMultipleAllowOriginValues, "\(appOrigin), \(appOrigin)"),
        Case(
            "ACAO mismatch", [("Access-Control-Allow-Origin", "https://x.example")], .preflightAllowOriginMismatch,
            "https://x.example"),
        Case(
            "wildcard with credentials", credentials: true, [("Access-Control-Allow-Origin", "*"), acac],
            .preflightWildcardOriginNotAllowed),
        Case(
            "credentials without ACAC", credentials: true, [acao, ("Access-Control-Allow-Methods", "PUT")],
            .preflightInvalidAllowCredentials, ""),
        Case(
            "credentials ACAC TRUE", credentials: true, [acao, ("Access-Control-Allow-Credentials", "TRUE")],
            .preflightInvalidAllowCredentials, "TRUE"),
        Case(
            "ACAO checked before status", credentials: true, status: 500, [acao], .preflightInvalidAllowCredentials, ""),
        Case(
            "unparsable ACAM", [acao, ("Access-Control-Allow-Methods", "PUT DELETE")],
            .invalidAllowMethodsPreflightResponse),
        Case(
            "unparsable ACAH", headers: custom,
            [acao, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Allow-Headers", "x-custom;")],
            .invalidAllowHeadersPreflightResponse),
        Case(
            "ACAM parsed before method check", method: "GET", headers: custom,
            [acao, ("Access-Control-Allow-Methods", "GET POST"), ("Access-Control-Allow-Headers", "x-custom")],
            .invalidAllowMethodsPreflightResponse),
        Case(
            "lowercase put does not allow PUT", [acao, ("Access-Control-Allow-Methods", "put")],
            .methodDisallowedByPreflightResponse, "PUT"),
        Case("put from page is normalized", method: "put", [acao, ("Access-Control-Allow-Methods", "PUT")], nil),
        Case(
            "PATCH does not allow patch", method: "patch", [acao, ("Access-Control-Allow-Methods", "PATCH")],
            .methodDisallowedByPreflightResponse, "patch"),
        Case("patch allows patch", method: "patch", [acao, ("Access-Control-Allow-Methods", "patch")], nil),
        Case("PATCH allows PATCH", method: "PATCH", [acao, ("Access-Control-Allow-Methods", "GET, PATCH")], nil),
        Case("method * without credentials", method: "DELETE", [acao, ("Access-Control-Allow-Methods", "*")], nil),
        Case(
            "method * with credentials", method: "DELETE", credentials: true,
            [acao, acac, ("Access-Control-Allow-Methods", "*")], .methodDisallowedByPreflightResponse, "DELETE"),
        Case(
            "safelisted method needs no ACAM", method: "POST", headers: custom,
            [acao, ("Access-Control-Allow-Headers", "X-CUSTOM")], nil),
        Case("method reported before header", headers: custom, [acao], .methodDisallowedByPreflightResponse, "PUT"),
        Case(
            "header missing", method: "GET", headers: custom, [acao, ("Access-Control-Allow-Headers", "x-other")],
            .headerDisallowedByPreflightResponse, "x-custom"),
        Case(
            "first missing header in sorted order", method: "GET",
            headers: [RequestHeader("X-Zed", "1"), RequestHeader("X-Alpha", "1")],
            [acao, ("Access-Control-Allow-Headers", "x-other")], .headerDisallowedByPreflightResponse, "x-alpha"),
        Case(
            "header * without credentials", method: "GET", headers: custom,
            [acao, ("Access-Control-Allow-Headers", "*")], nil),
        Case(
            "header * with credentials", method: "GET", headers: custom, credentials: true,
            [acao, acac, ("Access-Control-Allow-Headers", "*")], .headerDisallowedByPreflightResponse, "x-custom"),
        Case(
            "content-type json needs listing", method: "POST",
            headers: [RequestHeader("Content-Type", "application/json")], [acao], .headerDisallowedByPreflightResponse,
            "content-type"),
        Case(
            "Authorization covered by * (Chromium 156) with a warning",
            method: "GET", headers: auth, [acao, ("Access-Control-Allow-Headers", "*")], nil,
            warning: "cors-non-wildcard-request-header-name"
        ),
        Case(
            "Authorization listed", method: "GET", headers: auth,
            [acao, ("Access-Control-Allow-Headers", "*, Authorization")], nil),
        Case(
            "Authorization not listed", method: "GET", headers: auth,
            [acao, ("Access-Control-Allow-Headers", "x-custom")], .headerDisallowedByPreflightResponse, "authorization"),
        Case("PNA header missing", method: "GET", privateNetwork: true, [acao], .preflightMissingAllowPrivateNetwork),
        Case(
            "PNA header not true", method: "GET", privateNetwork: true,
            [acao, ("Access-Control-Allow-Private-Network", "yes")], .preflightInvalidAllowPrivateNetwork, "yes"),
        Case(
            "PNA ok", method: "GET", privateNetwork: true, [acao, ("Access-Control-Allow-Private-Network", "true")], nil
        ),
        Case(
            "PNA checked after status", method: "GET", privateNetwork: true, status: 403, [acao],
            .preflightInvalidStatus),
        Case(
            "max-age over 7200 warns",
            [acao, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Max-Age", "10000")], nil,
            warning: "capped to 7200"),
        Case(
            "expose headers on preflight warns",
            [acao, ("Access-Control-Allow-Methods", "PUT"), ("Access-Control-Expose-Headers", "x-a")], nil,
            warning: "no effect"),
    ]

    @Test(arguments: cases)
    func check(_ testCase: Case) throws {
        let analysis = try RequestAnalysis(method: testCase.method, headers: testCase.headers)
        let outcome = PreflightCheck.check(
            response(testCase.status, testCase.response),
            for: analysis,
            origin: appOrigin,
            credentials: testCase.credentials,
            privateNetwork: testCase.privateNetwork
        )
        switch outcome {
        case .success(let result):
            #expect(testCase.code == nil, "expected \(String(describing: testCase.code))")
            if let warning = testCase.warning {
                #expect(result.warnings.contains { $0.contains(warning) }, "\(result.warnings)")
            } else {
                #expect(result.warnings.isEmpty)
            }
        case .failure(let failure):
            #expect(failure.code == testCase.code)
            #expect(failure.failedParameter == testCase.failedParameter)
            #expect(!failure.fix.isEmpty)
        }
    }

    @Test func headerFixListsEveryUnsafeName() throws {
        let analysis = try RequestAnalysis(
            method: "GET",
            headers: [RequestHeader("X-B", "1"), RequestHeader("Content-Type", "application/json")]
        )
        let outcome = PreflightCheck.check(
            response(204, [Self.acao]),
            for: analysis,
            origin: appOrigin,
            credentials: false
        )
        guard case .failure(let failure) = outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.failedParameter == "content-type")
        #expect(failure.fix.contains("`Access-Control-Allow-Headers: content-type, x-b`"))
    }

    @Test func passedPreflightReportsLists() throws {
        let analysis = try RequestAnalysis(method: "PUT", headers: Self.custom)
        let outcome = PreflightCheck.check(
            response(
                200,
                [
                    Self.acao, ("Access-Control-Allow-Methods", "GET, PUT"),
                    ("Access-Control-Allow-Headers", "X-Custom"), ("Access-Control-Max-Age", "600"),
                ]
            ),
            for: analysis,
            origin: appOrigin,
            credentials: false
        )
        let result = try outcome.get()
        #expect(result.allowMethods == ["GET", "PUT"])
        #expect(result.allowHeaders == ["x-custom"])
        #expect(result.cacheLifetimes == PreflightCacheLifetimes(maxAge: "600"))
        #expect(result.cacheLifetimes.chromium == 600 && result.cacheLifetimes.webKit == 600)
    }
}
