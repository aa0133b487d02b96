import CORSBrowser
import HTTPTypes
import Testing

@Suite struct FetchCORSCheckTests {
    struct Case: Sendable, CustomStringConvertible {
        let label: String
        let headers: [(String, String)]
        let credentials: Bool
        let code: CORSErrorCode?
        let failedParameter: String
        var description: String { label }

        init(
            _ label: String, _ headers: [(String, String)], credentials: Bool = false, _ code: CORSErrorCode?,
            _ failedParameter: String = ""
        ) {
            self.label = label
            self.headers = headers
            self.credentials = credentials
            self.code = code
            self.failedParameter = failedParameter
        }
    }

    static let cases: [Case] = [
        Case("exact origin", [("Access-Control-Allow-Origin", appOrigin)], nil),
        Case("wildcard without credentials", [("Access-Control-Allow-Origin", "*")], nil),
        Case("no ACAO", [], .missingAllowOriginHeader),
        Case("no ACAO with credentials", [], credentials: true, .missingAllowOriginHeader),
        Case(
            "wildcard with credentials",
            [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")], credentials: true,
            .wildcardOriginNotAllowed),
        Case(
            "trailing slash", [("Access-Control-Allow-Origin", appOrigin + "/")], .allowOriginMismatch, appOrigin + "/"),
        Case(
            "default port :443", [("Access-Control-Allow-Origin", appOrigin + ":443")], .allowOriginMismatch,
            appOrigin + ":443"),
        Case(
            "uppercase", [("Access-Control-Allow-Origin", "HTTPS://APP.EXAMPLE")], .allowOriginMismatch,
            "HTTPS://APP.EXAMPLE"),
        Case("null vs real origin", [("Access-Control-Allow-Origin", "null")], .allowOriginMismatch, "null"),
        Case(
            "other origin", [("Access-Control-Allow-Origin", "https://other.example")], .allowOriginMismatch,
            "https://other.example"),
        Case(
            "http vs https", [("Access-Control-Allow-Origin", "http://app.example")], .allowOriginMismatch,
            "http://app.example"),
        Case(
            "two header lines",
            [("Access-Control-Allow-Origin", appOrigin), ("Access-Control-Allow-Origin", appOrigin)],
            .multipleAllowOriginValues, "\(appOrigin), \(appOrigin)"),
        Case(
            "comma list", [("Access-Control-Allow-Origin", "https://a.example,https://app.example")],
            .multipleAllowOriginValues, "https://a.example,https://app.example"),
        Case(
            "space list", [("Access-Control-Allow-Origin", "https://a.example https://app.example")],
            .multipleAllowOriginValues, "https://a.example https://app.example"),
        Case("not a URL", [("Access-Control-Allow-Origin", "app.example")], .invalidAllowOriginValue, "app.example"),
        Case(
            "credentials ok",
            [("Access-Control-Allow-Origin", appOrigin), ("Access-Control-Allow-Credentials", "true")],
            credentials: true, nil),
        Case(
            "credentials missing ACAC", [("Access-Control-Allow-Origin", appOrigin)], credentials: true,
            .invalidAllowCredentials, ""),
        Case(
            "credentials ACAC True",
            [("Access-Control-Allow-Origin", appOrigin), ("Access-Control-Allow-Credentials", "True")],
            credentials: true, .invalidAllowCredentials, "True"),
        Case(
            "credentials ACAC false",
            [("Access-Control-Allow-Origin", appOrigin), ("Access-Control-Allow-Credentials", "false")],
            credentials: true, .invalidAllowCredentials, "false"),
        Case(
            "ACAC ignored without credentials",
            [("Access-Control-Allow-Origin", appOrigin), ("Access-Control-Allow-Credentials", "nope")], nil),
    ]

    @Test(arguments: cases)
    func check(_ testCase: Case) {
        let failure = FetchCORSCheck.check(
            fields(testCase.headers), origin: appOrigin, credentials: testCase.credentials)
        #expect(failure?.code == testCase.code)
        if let failure {
            #expect(failure.failedParameter == testCase.failedParameter)
            #expect(failure.fix.contains("Access-Control-Allow-"))
        }
    }

    @Test func nullOriginMatchesNull() {
        #expect(
            FetchCORSCheck.check(fields([("Access-Control-Allow-Origin", "null")]), origin: "null", credentials: false)
                == nil)
    }

    @Test func wildcardFixNamesTheOrigin() throws {
        let failure = try #require(
            FetchCORSCheck.check(fields([("Access-Control-Allow-Origin", "*")]), origin: appOrigin, credentials: true)
        )
        #expect(failure.fix.contains("`Access-Control-Allow-Origin: \(appOrigin)`"))
        #expect(failure.fix.contains("`Access-Control-Allow-Credentials: true`"))
    }
}
