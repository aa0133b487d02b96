import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import CORSProxy

/// cors-anywhere's behaviour (docs/PEERS.md), row by row, through a live proxy in front of a loopback
/// upstream that the injected resolver calls `upstream.test`. `{port}` is the upstream's port.
@Suite struct CORSAnywhereBehaviourTests {
    enum Setup: Sendable {
        case standard
        case denyOrigin(String)
        case allowOnly(String)
        case maxBody(Int)
        case maxRedirects(Int)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var setup: Setup = .standard
        var method: HTTPRequest.Method = .get
        var path: String
        var headers: [String: String] = ["Origin": "http://app.test"]
        var body: Int = 0
        var status: Int
        /// Expected field values; `""` means the field must be absent.
        var fields: [String: String] = [:]
        var bodyContains: [String] = []
        var bodyLacks: [String] = []
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "help page at /", path: "/", headers: [:], status: 200, bodyContains: ["CORS proxy"]),
        Row(name: "/iscorsneeded answers no", path: "/iscorsneeded", headers: [:], status: 200, bodyContains: ["no"]),
        Row(name: "/favicon.ico is not a host", path: "/favicon.ico", headers: [:], status: 404),
        Row(name: "/robots.txt is not a host", path: "/robots.txt", headers: [:], status: 404),
        Row(
            name: "port above 65535", path: "/upstream.test:65536/", status: 400,
            bodyContains: ["Port number too large"]),
        Row(name: "host without a dot", path: "/intranet/x", status: 404, bodyContains: ["Invalid host"]),
        Row(
            name: "one slash after the scheme", path: "/http:/upstream.test/", status: 400,
            bodyContains: ["two slashes"]),
        Row(
            name: "Origin or X-Requested-With required", path: "/http://upstream.test:{port}/echo", headers: [:],
            status: 400, bodyContains: ["origin,x-requested-with"]),
        Row(
            name: "X-Requested-With is enough", path: "/http://upstream.test:{port}/echo",
            headers: ["X-Requested-With": "XMLHttpRequest"], status: 200),
        Row(
            name: "short form host:port/path", path: "/upstream.test:{port}/echo", status: 200,
            fields: ["X-Request-URL": "http://upstream.test:{port}/echo"]),
        Row(
            name: "preflight answered locally, echoing method and headers", method: .options,
            path: "/http://upstream.test:{port}/echo",
            headers: [
                "Origin": "http://app.test", "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-foo, content-type",
            ],
            status: 200,
            fields: [
                "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
                "Access-Control-Allow-Headers": "x-foo, content-type",
            ]),
        Row(
            name: "upstream CORS headers replaced, cookies stripped, all headers exposed",
            path: "/http://upstream.test:{port}/cors", status: 200,
            fields: [
                "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Set-Cookie": "",
                "X-Custom": "1",
            ],
            bodyContains: ["ok"]),
        Row(
            name: "request Cookie not forwarded", path: "/http://upstream.test:{port}/echo",
            headers: ["Origin": "http://app.test", "Cookie": "session=secret"], status: 200,
            bodyLacks: ["cookie:", "secret"]),
        Row(
            name: "Host and X-Forwarded-* sent upstream", path: "/http://upstream.test:{port}/echo", status: 200,
            bodyContains: [
                "host: upstream.test:{port}", "x-forwarded-for: 127.0.0.1", "x-forwarded-proto: http",
                "x-forwarded-host: localhost",
            ]),
        Row(
            name: "x-request-url and x-final-url", path: "/http://upstream.test:{port}/echo?a=1", status: 200,
            fields: [
                "X-Request-URL": "http://upstream.test:{port}/echo?a=1",
                "X-Final-URL": "http://upstream.test:{port}/echo?a=1",
            ]),
        Row(
            name: "302 followed and recorded", path: "/http://upstream.test:{port}/redirect/302?to=/echo",
            status: 200,
            fields: ["X-CORS-Redirect-1": "302 /echo", "X-Final-URL": "http://upstream.test:{port}/echo"]),
        Row(
            name: "a relative Location with :// in its query is followed",
            path: "/http://upstream.test:{port}/redirect/302?to=/echo?next=http://elsewhere.test/", status: 200,
            fields: ["X-Final-URL": "http://upstream.test:{port}/echo?next=http://elsewhere.test/"]),
        Row(
            name: "303 after POST becomes GET without body", method: .post,
            path: "/http://upstream.test:{port}/redirect/303?to=/echo", body: 10, status: 200,
            bodyContains: ["GET /echo", "body-bytes: 0"]),
        Row(
            name: "307 returned with Location through the proxy",
            path: "/http://upstream.test:{port}/redirect/307?to=/echo", status: 307,
            fields: ["Location": "http://localhost/http://upstream.test:{port}/echo"]),
        Row(
            name: "308 returned with Location through the proxy",
            path: "/http://upstream.test:{port}/redirect/308?to=http://upstream.test:{port}/echo", status: 308,
            fields: ["Location": "http://localhost/http://upstream.test:{port}/echo"]),
        Row(
            name: "redirects beyond the limit are handed to the page", setup: .maxRedirects(1),
            path: "/http://upstream.test:{port}/redirect/302?to=/redirect/301?to=/echo", status: 301,
            fields: [
                "X-CORS-Redirect-1": "302 /redirect/301?to=/echo",
                "Location": "http://localhost/http://upstream.test:{port}/echo",
            ]),
        Row(
            name: "denied origin", setup: .denyOrigin("http://evil.test"), path: "/http://upstream.test:{port}/echo",
            headers: ["Origin": "http://evil.test"], status: 403, bodyContains: ["denied"]),
        Row(
            name: "origin not on the allow list", setup: .allowOnly("http://good.test"),
            path: "/http://upstream.test:{port}/echo", status: 403, bodyContains: ["allow list"]),
        Row(
            name: "origin on the allow list", setup: .allowOnly("http://app.test"),
            path: "/http://upstream.test:{port}/echo", status: 200),
        // Found by a black-box pass: with an allow list, X-Requested-With without Origin got through.
        Row(
            name: "no Origin under an allow list", setup: .allowOnly("http://app.test"),
            path: "/http://upstream.test:{port}/echo", headers: ["X-Requested-With": "XMLHttpRequest"], status: 403,
            bodyContains: ["without an Origin header"]),
        Row(
            name: "request body over the limit", setup: .maxBody(1000), method: .post,
            path: "/http://upstream.test:{port}/echo", body: 2000, status: 413, bodyContains: ["too large"]),
        Row(
            name: "response body over the limit", setup: .maxBody(1000),
            path: "/http://upstream.test:{port}/bytes/5000",
            status: 502, bodyContains: ["at most 1000"]),
        Row(
            name: "header fields over the limit", path: "/http://upstream.test:{port}/echo",
            headers: ["Origin": "http://app.test", "X-Big": String(repeating: "a", count: 70_000)], status: 431),
    ]

    @Test(arguments: rows)
    func behaves(_ row: Row) async throws {
        try await withUpstream { port in
            let proxy = makeProxy { configuration in
                switch row.setup {
                case .standard: break
                case .denyOrigin(let origin): configuration.deniedOrigins = [origin]
                case .allowOnly(let origin): configuration.allowedOrigins = [origin]
                case .maxBody(let bytes): configuration.maxBodyBytes = bytes
                case .maxRedirects(let count): configuration.maxRedirects = count
                }
            }
            try await proxy.test(.live) { client in
                func fill(_ text: String) -> String { text.replacing("{port}", with: "\(port)") }
                var headers = HTTPFields()
                for (name, value) in row.headers { headers[HTTPField.Name(name)!] = value }
                let body = row.body > 0 ? ByteBuffer(repeating: UInt8(ascii: "b"), count: row.body) : nil
                try await client.execute(uri: fill(row.path), method: row.method, headers: headers, body: body) {
                    response in
                    #expect(Int(response.status.code) == row.status, "\(response.text)")
                    for (name, value) in row.fields {
                        let values = response.values(name)
                        if value.isEmpty {
                            #expect(values.isEmpty, "\(name)")
                        } else {
                            #expect(values == [fill(value)], "\(name)")
                        }
                    }
                    for fragment in row.bodyContains { #expect(response.text.contains(fill(fragment)), "\(fragment)") }
                    for fragment in row.bodyLacks {
                        #expect(!response.text.lowercased().contains(fragment), "\(fragment)")
                    }
                    #expect(response.values("Access-Control-Allow-Origin") == ["*"])
                }
            }
        }
    }

    @Test func exposeHeadersListsUpstreamHeaders() async throws {
        try await withUpstream { port in
            try await makeProxy().test(.live) { client in
                try await client.execute(
                    uri: "/http://upstream.test:\(port)/cors", method: .get, headers: [.origin: "http://app.test"]
                ) { response in
                    let exposed =
                        response.headers[.accessControlExposeHeaders]?.split(separator: ",").map(String.init) ?? []
                    #expect(exposed.contains("x-custom"))
                    #expect(exposed.contains("x-request-url"))
                    #expect(exposed.contains("x-final-url"))
                    #expect(!exposed.contains("set-cookie"))
                }
            }
        }
    }

    @Test func rateLimitPerOriginAnswers429WithRetryAfter() async throws {
        try await withUpstream { port in
            let proxy = makeProxy { $0.rateLimit = RateLimit(requests: 2, per: .seconds(60)) }
            try await proxy.test(.live) { client in
                let uri = "/http://upstream.test:\(port)/echo"
                for _ in 0..<2 {
                    let response = try await client.execute(uri: uri, method: .get, headers: [.origin: "http://a.test"])
                    #expect(response.status == .ok)
                }
                let limited = try await client.execute(uri: uri, method: .get, headers: [.origin: "http://a.test"])
                #expect(limited.status == .tooManyRequests)
                #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
                // Found by a black-box pass: rotating the Origin never got 429. The client's address
                // has a budget too (an origin's own budget is shown by RateLimiterTests).
                let other = try await client.execute(uri: uri, method: .get, headers: [.origin: "http://b.test"])
                #expect(other.status == .tooManyRequests)
            }
        }
    }

    struct URLCase: Sendable {
        let text: String
        let expected: String
    }

    static let urlFormCases: [URLCase] = [
        URLCase(text: "https://example.com/a?b=1", expected: "https://example.com/a?b=1"),
        URLCase(text: "example.com:443/x", expected: "https://example.com/x"),
        URLCase(text: "example.com/x", expected: "http://example.com/x"),
        URLCase(text: "example.com:8080", expected: "http://example.com:8080/"),
        URLCase(text: "//example.com?q", expected: "http://example.com/?q"),
        URLCase(text: "HTTP://Example.COM/P", expected: "http://example.com/P"),
        URLCase(text: "http://[::1]:81/", expected: "http://[::1]:81/"),
    ]

    @Test(arguments: urlFormCases)
    func urlFormsParse(_ form: URLCase) throws {
        #expect(try TargetURL(parsing: Substring(form.text), defaultSchemeFromPort: true).description == form.expected)
    }

    @Test func rateLimitParsing() {
        #expect(RateLimit(parsing: "60/MIN") == RateLimit(requests: 60, per: .seconds(60)))
        #expect(RateLimit(parsing: "5/s") == RateLimit(requests: 5, per: .seconds(1)))
        #expect(RateLimit(parsing: "100") == RateLimit(requests: 100, per: .seconds(60)))
        #expect(RateLimit(parsing: "x/min") == nil)
    }
}
