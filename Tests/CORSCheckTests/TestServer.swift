import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Runs `body` with a live server on 127.0.0.1 (port 0) answering every request with `responder`,
/// passing the server's origin (`http://127.0.0.1:PORT`).
func withServer<Result: Sendable>(
    _ responder: CallbackResponder<BasicRequestContext>,
    _ body: @escaping @Sendable (String) async throws -> Result
) async throws -> Result {
    let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live) { client in
        try await body("http://127.0.0.1:\(client.port!)")
    }
}

/// Runs `body` with a live server whose router applies `middleware` in front of `routes`.
func withRouter<Result: Sendable>(
    _ configure: (Router<BasicRequestContext>) throws -> Void,
    _ body: @escaping @Sendable (String) async throws -> Result
) async throws -> Result {
    let router = Router()
    try configure(router)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live) { client in
        try await body("http://127.0.0.1:\(client.port!)")
    }
}

/// A server whose CORS headers are hand-made per request from the query, like
/// Tests/Browser/fake_server.py: `acao` (repeatable), `acac`, `acam`, `acah`, `aceh`, `status`,
/// `location`, `sleep` (milliseconds), and the same with a `p_` prefix for the OPTIONS preflight.
let handMade = CallbackResponder<BasicRequestContext> { request, _ in
    let query = request.uri.queryParameters
    let prefix = request.method == .options ? "p_" : ""
    var fields = HTTPFields()
    let names: [(String, HTTPField.Name)] = [
        ("acao", .accessControlAllowOrigin), ("acac", .accessControlAllowCredentials),
        ("acam", .accessControlAllowMethods), ("acah", .accessControlAllowHeaders),
        ("aceh", .accessControlExposeHeaders), ("location", .location),
    ]
    for (key, name) in names {
        for value in query.getAll(prefix + key) {
            fields.append(HTTPField(name: name, value: value))
        }
    }
    fields.append(HTTPField(name: HTTPField.Name("X-Secret")!, value: "1"))
    if let sleep = query.get("sleep", as: Int.self) {
        try await Task.sleep(for: .milliseconds(sleep))
    }
    let status = query.get(prefix + "status", as: Int.self) ?? (request.method == .options ? 204 : 200)
    return Response(status: .init(code: status), headers: fields)
}

/// `path?key=value&...`, percent-encoding every value.
func query(_ pairs: KeyValuePairs<String, String>, path: String = "/api") -> String {
    guard !pairs.isEmpty else { return path }
    return path + "?" + pairs.map { "\($0.key)=\(percentEncoded($0.value))" }.joined(separator: "&")
}

func percentEncoded(_ value: String) -> String {
    var result = ""
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            result += "%" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    return result
}
