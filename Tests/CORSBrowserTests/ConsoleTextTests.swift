import CORSBrowser
import Testing

@Suite struct ConsoleTextTests {
    struct Case: Sendable, CustomStringConvertible {
        let code: CORSErrorCode
        let failedParameter: String
        let text: String
        var description: String { code.rawValue }
    }

    static let preflight = "Response to preflight request doesn't pass access control check: "
    /// The sentence Chromium 156 appends to the ACAO value errors (Tests/Browser/CHROMIUM-FINDINGS.md).
    static let validValue = " Have the server send the header with a valid value."
    static let missing = "No 'Access-Control-Allow-Origin' header is present on the requested resource."

    static let cases: [Case] = [
        Case(code: .missingAllowOriginHeader, failedParameter: "", text: missing),
        Case(code: .preflightMissingAllowOriginHeader, failedParameter: "", text: preflight + missing),
        Case(
            code: .allowOriginMismatch,
            failedParameter: "https://x.example",
            text: "The 'Access-Control-Allow-Origin' header has a value 'https://x.example' that is not equal to the"
                + " supplied origin." + validValue
        ),
        Case(
            code: .multipleAllowOriginValues,
            failedParameter: "a, b",
            text: "The 'Access-Control-Allow-Origin' header contains multiple values 'a, b', but only one is allowed."
                + validValue
        ),
        Case(
            code: .preflightWildcardOriginNotAllowed,
            failedParameter: "",
            text: preflight
                + "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*'"
                + " when the request's credentials mode is 'include'."
        ),
        Case(
            code: .invalidAllowCredentials,
            failedParameter: "",
            text: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be"
                + " 'true' when the request's credentials mode is 'include'."
        ),
        Case(code: .preflightInvalidStatus, failedParameter: "", text: preflight + "It does not have HTTP ok status."),
        Case(
            code: .preflightDisallowedRedirect,
            failedParameter: "",
            text: preflight + "Redirect is not allowed for a preflight request."
        ),
        Case(
            code: .methodDisallowedByPreflightResponse,
            failedParameter: "PUT",
            text: "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        Case(
            code: .headerDisallowedByPreflightResponse,
            failedParameter: "x-custom",
            text: "Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response."
        ),
        Case(
            code: .invalidAllowHeadersPreflightResponse,
            failedParameter: "",
            text: "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
        ),
        Case(
            code: .preflightMissingAllowPrivateNetwork,
            failedParameter: "",
            text: preflight
                + "No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this"
                + " private network request targeting the `private` address space."
        ),
    ]

    @Test(arguments: cases)
    func reason(_ testCase: Case) {
        #expect(testCase.code.consoleReason(failedParameter: testCase.failedParameter) == testCase.text)
    }

    @Test(arguments: CORSErrorCode.allCases)
    func everyCodeHasTextAndARoundTrippingName(_ code: CORSErrorCode) {
        #expect(CORSErrorCode(rawValue: code.rawValue) == code)
        let text = code.consoleReason(failedParameter: "P")
        #expect(text.hasSuffix("."))
        #expect(text.hasPrefix(Self.preflight) == code.isPreflightError)
    }

    @Test func fullLineWithRedirect() {
        let line = CORSErrorCode.missingAllowOriginHeader.consoleMessage(
            url: "https://b.example/final",
            redirectedFrom: "https://a.example/start",
            origin: appOrigin,
            failedParameter: ""
        )
        #expect(
            line
                == "Access to fetch at 'https://b.example/final' (redirected from 'https://a.example/start') from origin"
                + " 'https://app.example' has been blocked by CORS policy: " + Self.missing
        )
    }
}
