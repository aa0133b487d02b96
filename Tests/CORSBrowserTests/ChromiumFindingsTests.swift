import CORSBrowser
import HTTPTypes
import Testing

/// Every case of Tests/Browser/CHROMIUM-FINDINGS.md (measured in Chromium 156 against
/// fake_server.py), replayed through the model with the same responses: the verdict, the
/// `corsError`, the `failedParameter` and the console text must be what Chromium reported.
@Suite struct ChromiumFindingsTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let id: String
        let method: String
        let headers: [RequestHeader]
        let credentials: Bool
        let responses: [BrowserResponse]
        let code: CORSErrorCode?
        let failedParameter: String
        /// Console text after "blocked by CORS policy: ".
        let reason: String?
        /// The URL named in the console line (`nil`: the first URL, no "redirected from").
        let failedURL: String?
        let requestsSent: Int
        var testDescription: String { id }

        init(
            _ id: String,
            method: String = "GET",
            headers: [RequestHeader] = [],
            credentials: Bool = false,
            _ responses: [BrowserResponse],
            _ code: CORSErrorCode? = nil,
            _ failedParameter: String = "",
            reason: String? = nil,
            failedURL: String? = nil,
            sent: Int? = nil
        ) {
            self.id = id
            self.method = method
            self.headers = headers
            self.credentials = credentials
            self.responses = responses
            self.code = code
            self.failedParameter = failedParameter
            self.reason = reason
            self.failedURL = failedURL
            self.requestsSent = sent ?? responses.count
        }
    }

    static let page = "http://127.0.0.1:5000"
    static let server = "http://127.0.0.1:6000/api"
    static let third = "http://127.0.0.1:7000/other"
    static let one = "http://127.0.0.1:1"

    static let acao = ("Access-Control-Allow-Origin", page)
    static let acac = ("Access-Control-Allow-Credentials", "true")
    static func acao(_ value: String) -> (String, String) { ("Access-Control-Allow-Origin", value) }
    static func acam(_ value: String) -> (String, String) { ("Access-Control-Allow-Methods", value) }
    static func acah(_ value: String) -> (String, String) { ("Access-Control-Allow-Headers", value) }
    static func location(_ value: String) -> (String, String) { ("Location", value) }

    static let preflightPrefix = "Response to preflight request doesn't pass access control check: "
    static let validValue = " Have the server send the header with a valid value."
    static let missing = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    static func mismatch(_ value: String) -> String {
        "The 'Access-Control-Allow-Origin' header has a value '\(value)' that is not equal to the supplied origin."
            + validValue
    }
    static func multiple(_ value: String) -> String {
        "The 'Access-Control-Allow-Origin' header contains multiple values '\(value)', but only one is allowed."
            + validValue
    }
    static let wildcard =
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the"
        + " request's credentials mode is 'include'."
    static func credentialsText(_ value: String) -> String {
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '\(value)' which must be 'true'"
            + " when the request's credentials mode is 'include'."
    }
    static let invalidStatus = preflightPrefix + "It does not have HTTP ok status."
    static let redirectText = preflightPrefix + "Redirect is not allowed for a preflight request."
    static func method(_ name: String) -> String {
        "Method \(name) is not allowed by Access-Control-Allow-Methods in preflight response."
    }
    static func header(_ name: String) -> String {
        "Request header field \(name) is not allowed by Access-Control-Allow-Headers in preflight response."
    }
    static let methodsParse = "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
    static let headersParse = "Cannot parse Access-Control-Allow-Headers response header field in preflight response."

    static let custom = [RequestHeader("X-Custom", "1")]
    static let auth = [RequestHeader("Authorization", "Bearer t")]
    static let json = [RequestHeader("Content-Type", "application/json")]

    static let simple: [Row] = [
        Row("simple-no-acao", [response(200)], .missingAllowOriginHeader, reason: missing),
        Row("simple-mismatch", [response(200, [acao(one)])], .allowOriginMismatch, one, reason: mismatch(one)),
        Row(
            "simple-trailing-slash", [response(200, [acao(page + "/")])], .allowOriginMismatch, page + "/",
            reason: mismatch(page + "/")),
        Row(
            "simple-uppercase", [response(200, [acao(page.uppercased())])], .allowOriginMismatch, page.uppercased(),
            reason: mismatch(page.uppercased())),
        Row("simple-null", [response(200, [acao("null")])], .allowOriginMismatch, "null", reason: mismatch("null")),
        Row(
            "simple-multiple-lines", [response(200, [acao, acao])], .multipleAllowOriginValues, "\(page), \(page)",
            reason: multiple("\(page), \(page)")),
        Row(
            "simple-multiple-comma", [response(200, [acao("\(page), \(one)")])], .multipleAllowOriginValues,
            "\(page), \(one)", reason: multiple("\(page), \(one)")),
        Row("simple-wildcard", [response(200, [acao("*")])]),
        Row("simple-exact", [response(200, [acao])]),
        Row(
            "simple-wildcard-creds", credentials: true, [response(200, [acao("*"), acac])], .wildcardOriginNotAllowed,
            reason: wildcard),
        Row(
            "simple-acac-missing", credentials: true, [response(200, [acao])], .invalidAllowCredentials,
            reason: credentialsText("")),
        Row(
            "simple-acac-TRUE", credentials: true,
            [response(200, [acao, ("Access-Control-Allow-Credentials", "TRUE")])], .invalidAllowCredentials, "TRUE",
            reason: credentialsText("TRUE")),
        Row("simple-acac-true", credentials: true, [response(200, [acao, acac])]),
        Row("simple-404-with-acao", [response(404, [acao])]),
        Row("simple-500-no-acao", [response(500)], .missingAllowOriginHeader, reason: missing),
        Row("no-preflight-range", headers: [RequestHeader("Range", "bytes=0-10")], [response(206, [acao])]),
        Row(
            "no-preflight-textplain", method: "POST", headers: [RequestHeader("Content-Type", "text/plain;garbage")],
            [response(200, [acao])]),
        Row(
            "preflight-json", method: "POST", headers: json, [response(204)], .preflightMissingAllowOriginHeader,
            reason: preflightPrefix + missing),
    ]

    static let preflight: [Row] = [
        Row(
            "pf-403-no-acao", method: "PUT", [response(403)], .preflightMissingAllowOriginHeader,
            reason: preflightPrefix + missing),
        Row(
            "pf-200-no-acao", method: "PUT", [response(204)], .preflightMissingAllowOriginHeader,
            reason: preflightPrefix + missing),
        Row(
            "pf-500-acao", method: "PUT", [response(500, [acao, acam("PUT")])], .preflightInvalidStatus,
            reason: invalidStatus),
        Row("pf-403-acao", method: "PUT", [response(403, [acao])], .preflightInvalidStatus, reason: invalidStatus),
        Row(
            "pf-mismatch", method: "PUT", [response(204, [acao(one)])], .preflightAllowOriginMismatch, one,
            reason: preflightPrefix + mismatch(one)),
        Row(
            "pf-multiple", method: "PUT", [response(204, [acao, acao, acam("PUT")])],
            .preflightMultipleAllowOriginValues, "\(page), \(page)",
            reason: preflightPrefix + multiple("\(page), \(page)")
        ),
        Row(
            "pf-wildcard-creds", method: "PUT", credentials: true, [response(204, [acao("*"), acac, acam("PUT")])],
            .preflightWildcardOriginNotAllowed, reason: preflightPrefix + wildcard),
        Row(
            "pf-acac-missing", method: "PUT", credentials: true, [response(204, [acao, acam("PUT")])],
            .preflightInvalidAllowCredentials, reason: preflightPrefix + credentialsText("")),
        Row(
            "pf-500-acao-no-acac-creds", method: "PUT", credentials: true, [response(500, [acao])],
            .preflightInvalidAllowCredentials, reason: preflightPrefix + credentialsText("")),
        Row(
            "pf-redirect", method: "PUT", [response(302, [acao, acam("PUT"), location(third)])],
            .preflightDisallowedRedirect, reason: redirectText),
        Row(
            "pf-redirect-no-acao", method: "PUT", [response(302, [location(third)])], .preflightDisallowedRedirect,
            reason: redirectText),
        Row(
            "pf-redirect-mismatch", method: "PUT", [response(302, [acao(one), location(third)])],
            .preflightDisallowedRedirect, reason: redirectText),
        Row(
            "pf-redirect-creds", method: "PUT", credentials: true, [response(302, [acao, location(third)])],
            .preflightDisallowedRedirect, reason: redirectText),
        Row(
            "pf-307", method: "PUT", [response(307, [acao, acam("PUT"), location(third)])],
            .preflightDisallowedRedirect, reason: redirectText),
        Row(
            "pf-302-no-location", method: "PUT", [response(302, [acao, acam("PUT")])], .preflightInvalidStatus,
            reason: invalidStatus),
        Row(
            "pf-302-no-location-no-acao", method: "PUT", [response(302)], .preflightMissingAllowOriginHeader,
            reason: preflightPrefix + missing),
        Row("pf-wildcard", method: "PUT", [response(204, [acao("*"), acam("PUT")]), response(200, [acao("*")])]),
        Row("pf-ok-actual-403", method: "PUT", [response(204, [acao, acam("PUT")]), response(403, [acao])]),
        Row(
            "pf-ok-actual-no-acao", method: "PUT", [response(204, [acao, acam("PUT")]), response(200)],
            .missingAllowOriginHeader, reason: missing),
        Row("pf-ok", method: "PUT", [response(204, [acao, acam("PUT")]), response(200, [acao])]),
    ]

    static let methodsAndHeaders: [Row] = [
        Row(
            "method-disallowed", method: "PUT", [response(204, [acao, acam("GET, POST")])],
            .methodDisallowedByPreflightResponse, "PUT", reason: method("PUT")),
        Row(
            "method-no-acam", method: "PUT", [response(204, [acao])], .methodDisallowedByPreflightResponse, "PUT",
            reason: method("PUT")),
        Row(
            "method-lower-acam", method: "PUT", [response(204, [acao, acam("put")])],
            .methodDisallowedByPreflightResponse, "PUT", reason: method("PUT")),
        Row("method-fetch-put-lower", method: "put", [response(204, [acao, acam("PUT")]), response(200, [acao])]),
        Row(
            "method-patch-upper-acam", method: "patch", [response(204, [acao, acam("PATCH")])],
            .methodDisallowedByPreflightResponse, "patch", reason: method("patch")),
        Row(
            "method-patch-lower-acam", method: "patch", [response(204, [acao, acam("patch")]), response(200, [acao])]),
        Row("method-star", method: "PUT", [response(204, [acao, acam("*")]), response(200, [acao])]),
        Row(
            "method-star-creds", method: "PUT", credentials: true, [response(204, [acao, acac, acam("*")])],
            .methodDisallowedByPreflightResponse, "PUT", reason: method("PUT")),
        Row(
            "method-and-header", method: "PUT", headers: custom, [response(204, [acao, acam("GET"), acah("X-Other")])],
            .methodDisallowedByPreflightResponse, "PUT", reason: method("PUT")),
        Row(
            "header-disallowed", headers: custom, [response(204, [acao, acah("X-Other")])],
            .headerDisallowedByPreflightResponse, "x-custom", reason: header("x-custom")),
        Row(
            "header-no-acah", headers: custom, [response(204, [acao])], .headerDisallowedByPreflightResponse,
            "x-custom", reason: header("x-custom")),
        Row(
            "header-case-insensitive", headers: [RequestHeader("x-custom", "1")],
            [response(204, [acao, acah("X-CUSTOM")]), response(200, [acao])]),
        Row(
            "header-two-one-missing", headers: [RequestHeader("X-A", "1"), RequestHeader("X-B", "1")],
            [response(204, [acao, acah("X-A")])], .headerDisallowedByPreflightResponse, "x-b", reason: header("x-b")),
        Row("header-star", headers: custom, [response(204, [acao, acah("*")]), response(200, [acao])]),
        Row(
            "header-star-creds", headers: custom, credentials: true, [response(204, [acao, acac, acah("*")])],
            .headerDisallowedByPreflightResponse, "x-custom", reason: header("x-custom")),
        Row("auth-star", headers: auth, [response(204, [acao, acah("*")]), response(200, [acao])]),
        Row(
            "auth-star-creds", headers: auth, credentials: true, [response(204, [acao, acac, acah("*")])],
            .headerDisallowedByPreflightResponse, "authorization", reason: header("authorization")),
        Row("auth-listed", headers: auth, [response(204, [acao, acah("Authorization")]), response(200, [acao])]),
    ]

    static let syntax: [Row] =
        ["PUT DELETE", "PUT;", "PU(T"].enumerated().map { index, value in
            Row(
                "acam-syntax-\(index)", method: "PUT", [response(204, [acao, acam(value)])],
                .invalidAllowMethodsPreflightResponse, reason: methodsParse)
        }
        + ["PUT,,", "PUT, ,GET", ",PUT"].enumerated().map { index, value in
            Row(
                "acam-syntax-\(index + 3)", method: "PUT", [response(204, [acao, acam(value)]), response(200, [acao])])
        }
        + ["X-Custom X-Other", "X-Custom;", "X-Cu(stom"].enumerated().map { index, value in
            Row(
                "acah-syntax-\(index)", headers: custom, [response(204, [acao, acah(value)])],
                .invalidAllowHeadersPreflightResponse, reason: headersParse)
        }
        + ["X-Custom,,", ",X-Custom"].enumerated().map { index, value in
            Row(
                "acah-syntax-\(index + 3)", headers: custom,
                [response(204, [acao, acah(value)]), response(200, [acao])])
        }

    static let redirects: [Row] = [
        Row(
            "redirect-302-no-acao", [response(302, [location(server + "?acao=x")])], .missingAllowOriginHeader,
            reason: missing),
        Row(
            "redirect-302-mismatch", [response(302, [acao(one), location(server + "?acao=x")])], .allowOriginMismatch,
            one, reason: mismatch(one)),
        Row("redirect-same-server", [response(302, [acao, location(server + "?next")]), response(200, [acao])]),
        Row("redirect-tainted-reflect", [response(302, [acao, location(third)]), response(200, [acao("null")])]),
        Row(
            "redirect-tainted-page-origin", [response(302, [acao, location(third)]), response(200, [acao])],
            .allowOriginMismatch, page, reason: mismatch(page), failedURL: third),
        Row("redirect-tainted-star", [response(302, [acao, location(third)]), response(200, [acao("*")])]),
        Row(
            "redirect-tainted-no-acao", [response(302, [acao, location(third)]), response(200)],
            .missingAllowOriginHeader, reason: missing, failedURL: third),
        Row(
            "redirect-tainted-creds-null", credentials: true,
            [response(302, [acao, acac, location(third)]), response(200, [acao("null"), acac])]),
    ]

    @Test(arguments: simple + preflight + methodsAndHeaders + syntax + redirects)
    func measured(_ row: Row) throws {
        let request = BrowserRequest(
            url: Self.server, origin: Self.page, method: row.method, headers: row.headers, credentials: row.credentials)
        let (verdict, sent) = drive(request, row.responses)
        let result = try #require(verdict, "the model wanted more requests than Chromium sent")
        #expect(sent.count == row.requestsSent)
        #expect(result.allowed == (row.code == nil))
        #expect(result.reason == row.code)
        guard let reason = row.reason else {
            #expect(result.failedParameter == nil)
            return
        }
        #expect(result.failedParameter == row.failedParameter)
        var line = "Access to fetch at '\(row.failedURL ?? Self.server)' "
        if row.failedURL != nil { line += "(redirected from '\(Self.server)') " }
        line += "from origin '\(Self.page)' has been blocked by CORS policy: " + reason
        #expect(result.message == line)
        #expect(!result.fix.isEmpty)
    }

    @Test func taintedHopSendsOriginNull() {
        let request = BrowserRequest(url: Self.server, origin: Self.page)
        let (_, sent) = drive(request, [response(302, [Self.acao, Self.location(Self.third)]), response(200)])
        #expect(sent.map { $0.headerFields[.origin] } == [Self.page, "null"])
    }

    @Test func preflightRequestHeadersAreLowercasedSortedWithoutSpaces() throws {
        let request = BrowserRequest(
            url: Self.server, origin: Self.page, headers: [RequestHeader("X-B", "1"), RequestHeader("X-A", "1")])
        let (_, sent) = drive(request, [response(204)])
        #expect(sent.first?.headerFields[.accessControlRequestHeaders] == "x-a,x-b")
    }

    /// Exposure, measured: `*` without credentials exposes all but Set-Cookie; with credentials
    /// only the safelisted headers.
    @Test(arguments: [false, true])
    func exposeStar(_ credentials: Bool) throws {
        var pairs = [Self.acao, ("Access-Control-Expose-Headers", "*"), ("X-Listed", "1"), ("Set-Cookie", "a=b")]
        pairs.append(("Content-Type", "text/plain"))
        if credentials { pairs.append(Self.acac) }
        let request = BrowserRequest(url: Self.server, origin: Self.page, credentials: credentials)
        let (verdict, _) = drive(request, [response(200, pairs)])
        let exposed = try #require(verdict).exposedHeaders
        #expect(exposed.contains("x-listed") == !credentials)
        #expect(exposed.contains("content-type"))
        #expect(!exposed.contains("set-cookie"))
    }
}
