#if Tools
import CORS
public import CORSBrowser
public import HTTPTypes

/// The server-side change that lets a blocked request through: the headers the server must
/// send, and the same configuration for our policy file, Hummingbird, Vapor, Express `cors` and
/// nginx.
///
/// The configuration allows exactly what the request needs (its origin, its non-safelisted
/// method, its CORS-unsafe header names, credentials when it includes them) and nothing more.
public struct ServerFix: Sendable, Hashable {
    /// One configuration snippet.
    public struct Snippet: Sendable, Hashable {
        /// A stable key: `policy`, `hummingbird`, `vapor`, `express`, `nginx`.
        public var key: String
        /// A title for people: "policy file (cors serve)", "Hummingbird"...
        public var title: String
        /// The code.
        public var code: String
    }

    /// The origin to allow, byte for byte as the browser sends it.
    public var origin: String
    /// Whether the request includes credentials (so `*` is not an option).
    public var credentials: Bool
    /// The method to allow, when it is not CORS-safelisted.
    public var method: String?
    /// The request-header names to allow (lowercased, sorted).
    public var allowedHeaders: [String]
    /// Whether the request is preflighted (so the OPTIONS answer matters).
    public var preflight: Bool
    /// The header fields the preflight response must carry (empty without a preflight).
    public var preflightResponseFields: HTTPFields
    /// The header fields the actual response must carry.
    public var responseFields: HTTPFields
    /// A note on top of the headers, for cases a header alone does not fix (redirects, statuses).
    public var note: String?
    /// The snippets, in the order: policy file, Hummingbird, Vapor, Express, nginx.
    public var snippets: [Snippet]

    /// The fix for a blocked verdict, or `nil` when allowed or when no server header helps.
    public init?(request: BrowserRequest, verdict: BrowserVerdict, exchanges: [RecordedExchange]) {
        guard !verdict.allowed, let reason = verdict.reason else { return nil }
        switch reason {
        case .corsDisabledScheme, .redirectContainsCredentials, .disallowedByMode, .noCorsRedirectModeNotFollow:
            return nil
        default: break
        }
        let sentOrigin = exchanges.last?.requestHeaderFields[.origin]
        let pageOrigin = BrowserURL(request.origin).map(\.origin) ?? request.origin
        if sentOrigin == "null" && pageOrigin != "null" {
            // A tainted redirect chain: the only header fix is allowing `null`, which is unsafe.
            return nil
        }
        guard let analysis = try? RequestAnalysis(method: request.method, headers: request.headers) else { return nil }
        origin = pageOrigin
        credentials = request.credentials
        method = CORSMethod.isSafelisted(analysis.method) ? nil : analysis.method
        allowedHeaders = analysis.unsafeHeaderNames
        preflight = analysis.needsPreflight || request.privateNetwork
        var actual = HTTPFields()
        actual[.accessControlAllowOrigin] = origin
        if credentials { actual[.accessControlAllowCredentials] = "true" }
        actual[.vary] = "Origin"
        responseFields = actual
        var preflightFields = HTTPFields()
        if preflight {
            preflightFields[.accessControlAllowOrigin] = origin
            if credentials { preflightFields[.accessControlAllowCredentials] = "true" }
            if let method { preflightFields[.accessControlAllowMethods] = method }
            if !allowedHeaders.isEmpty {
                preflightFields[.accessControlAllowHeaders] = allowedHeaders.joined(separator: ", ")
            }
            if request.privateNetwork { preflightFields[.accessControlAllowPrivateNetwork] = "true" }
            preflightFields[.vary] = "Origin"
        }
        preflightResponseFields = preflightFields
        switch reason {
        case .preflightInvalidStatus:
            note =
                "Answer OPTIONS with 204 before authentication, routing or redirects reject it: put the CORS layer first."
        case .preflightDisallowedRedirect:
            note =
                "Do not redirect OPTIONS (http→https, trailing slash, login): answer the preflight where it arrives,"
                + " or make the page call the final URL."
        default:
            note = nil
        }
        snippets = []
        snippets = [
            Snippet(key: "policy", title: "policy file (cors serve)", code: policyFile),
            Snippet(key: "hummingbird", title: "Hummingbird (CORSHummingbird)", code: hummingbird),
            Snippet(key: "vapor", title: "Vapor", code: vapor),
            Snippet(key: "express", title: "Express (cors)", code: express),
            Snippet(key: "nginx", title: "nginx", code: nginx),
        ]
    }

    /// Methods to list: the safelisted ones plus the request's.
    private var methods: [String] {
        ["GET", "HEAD", "POST"] + (method.map { [$0] } ?? [])
    }

    private var policyFile: String {
        var lines = ["  \"origins\": [\(json(origin))]"]
        if method != nil { lines.append("  \"methods\": [\(methods.map(json).joined(separator: ", "))]") }
        if !allowedHeaders.isEmpty {
            lines.append("  \"allowedHeaders\": [\(allowedHeaders.map(json).joined(separator: ", "))]")
        }
        if credentials { lines.append("  \"credentials\": true") }
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }

    private var hummingbird: String {
        var arguments = ["    origins: [\(json(origin))]"]
        if method != nil { arguments.append("    methods: [\(methods.map(json).joined(separator: ", "))]") }
        if !allowedHeaders.isEmpty {
            arguments.append("    allowedHeaders: [\(allowedHeaders.map(json).joined(separator: ", "))]")
        }
        if credentials { arguments.append("    credentials: true") }
        return "router.add(middleware: try CORSHummingbirdMiddleware(CORSConfiguration(\n"
            + arguments.joined(separator: ",\n") + "\n)))"
    }

    private var vapor: String {
        let vaporMethods = methods.map { name in
            ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].contains(name)
                ? ".\(name)" : ".RAW(value: \(json(name)))"
        }
        let headers = [".accept", ".contentType", ".origin"] + allowedHeaders.map(json)
        var arguments = [
            "    allowedOrigin: .custom(\(json(origin)))",
            "    allowedMethods: [\(vaporMethods.joined(separator: ", "))]",
            "    allowedHeaders: [\(headers.joined(separator: ", "))]",
        ]
        if credentials { arguments.append("    allowCredentials: true") }
        return "let cors = CORSMiddleware(configuration: .init(\n" + arguments.joined(separator: ",\n") + "\n))\n"
            + "app.middleware.use(cors, at: .beginning)"
    }

    private var express: String {
        var options = ["  origin: \(js(origin))"]
        if method != nil { options.append("  methods: [\(methods.map(js).joined(separator: ", "))]") }
        if !allowedHeaders.isEmpty {
            options.append("  allowedHeaders: [\(allowedHeaders.map(js).joined(separator: ", "))]")
        }
        if credentials { options.append("  credentials: true") }
        return "const cors = require('cors');\napp.use(cors({\n" + options.joined(separator: ",\n") + ",\n}));"
    }

    private var nginx: String {
        func lines(_ fields: HTTPFields, indent: String) -> [String] {
            fields.map { "\(indent)add_header \($0.name.rawName) \"\($0.value)\" always;" }
        }
        var result: [String] = []
        if preflight {
            result.append("if ($request_method = OPTIONS) {")
            result += lines(preflightResponseFields, indent: "    ")
            result.append("    return 204;")
            result.append("}")
        }
        result += lines(responseFields, indent: "")
        return result.joined(separator: "\n")
    }

    private func json(_ value: String) -> String { JSONWriter.quoted(value) }

    private func js(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "\\" || character == "'" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "'"
    }
}
#endif
