import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// One behaviour table, three runners: every case goes over real HTTP to `cors serve --adapter X`
/// for each adapter; each must match the table, and all three must answer identically.
@Suite(.serialized) struct AdapterParityTests {
    static let adapters = ["hummingbird", "vapor", "nio"]

    static let policy = """
        {
          "origins": ["https://a.com", "https://*.example.org", "regex:^https://pr-[0-9]+\\\\.example\\\\.net$"],
          "methods": ["GET", "POST", "PUT", "PURGE"],
          "allowedHeaders": ["Authorization", "Content-Type"],
          "exposedHeaders": ["X-Foo"],
          "credentials": true,
          "maxAge": 30,
          "privateNetwork": true,
          "routes": [{ "path": "/public/**", "origins": ["*"], "credentials": false }]
        }
        """

    static let preflightVary =
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod = .GET
        var path = "/x"
        var headers: [(String, String)] = []
        var status: UInt
        /// Every `Access-Control-*` and `Vary` field of the response (lower-case names), exactly.
        var fields: [String: String]
        var testDescription: String { name }
    }

    static let allowedActual = [
        "access-control-allow-origin": "https://a.com", "access-control-allow-credentials": "true",
        "access-control-expose-headers": "X-Foo", "vary": "Origin",
    ]

    static let cases: [Case] = [
        Case(name: "no Origin", status: 200, fields: ["vary": "Origin"]),
        Case(name: "allowed origin", headers: [("Origin", "https://a.com")], status: 200, fields: allowedActual),
        Case(
            name: "refused origin", headers: [("Origin", "https://evil.com")], status: 200, fields: ["vary": "Origin"]),
        Case(
            name: "handler's Vary kept", path: "/x?set=Vary:Accept-Encoding", headers: [("Origin", "https://a.com")],
            status: 200, fields: allowedActual.merging(["vary": "Accept-Encoding, Origin"]) { $1 }),
        Case(
            name: "handler's ACAO replaced", path: "/x?set=Access-Control-Allow-Origin:https://evil.com",
            headers: [("Origin", "https://evil.com")], status: 200, fields: ["vary": "Origin"]),
        Case(
            name: "404 keeps CORS headers", path: "/x?status=404", headers: [("Origin", "https://a.com")], status: 404,
            fields: allowedActual),
        Case(
            name: "500 keeps CORS headers", path: "/x?status=500", headers: [("Origin", "https://a.com")], status: 500,
            fields: allowedActual),
        Case(name: "HEAD", method: .HEAD, headers: [("Origin", "https://a.com")], status: 200, fields: allowedActual),
        Case(
            name: "OPTIONS without ACRM reaches the handler", method: .OPTIONS, headers: [("Origin", "https://a.com")],
            status: 200, fields: allowedActual.merging(["vary": preflightVary]) { $1 }),
        Case(
            name: "preflight for PURGE", method: .OPTIONS,
            headers: [("Origin", "https://a.com"), ("Access-Control-Request-Method", "PURGE")], status: 204,
            fields: [
                "access-control-allow-origin": "https://a.com", "access-control-allow-credentials": "true",
                "access-control-allow-methods": "PURGE", "access-control-max-age": "30", "vary": preflightVary,
            ]),
        Case(
            name: "preflight with headers", method: .OPTIONS,
            headers: [
                ("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", ",,Authorization,,content-type"),
            ], status: 204,
            fields: [
                "access-control-allow-origin": "https://a.com", "access-control-allow-credentials": "true",
                "access-control-allow-methods": "PUT", "access-control-allow-headers": "authorization,content-type",
                "access-control-max-age": "30", "vary": preflightVary,
            ]),
        Case(
            name: "private network preflight", method: .OPTIONS,
            headers: [
                ("Origin", "https://a.com"), ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Private-Network", "true"),
            ], status: 204,
            fields: [
                "access-control-allow-origin": "https://a.com", "access-control-allow-credentials": "true",
                "access-control-allow-methods": "GET", "access-control-max-age": "30",
                "access-control-allow-private-network": "true", "vary": preflightVary,
            ]),
        Case(
            name: "preflight from a refused origin", method: .OPTIONS,
            headers: [("Origin", "https://evil.com"), ("Access-Control-Request-Method", "PUT")], status: 403,
            fields: ["vary": preflightVary]),
        Case(
            name: "preflight for a refused method", method: .OPTIONS,
            headers: [("Origin", "https://a.com"), ("Access-Control-Request-Method", "DELETE")], status: 403,
            fields: ["vary": preflightVary]),
        Case(
            name: "preflight for a refused header", method: .OPTIONS,
            headers: [
                ("Origin", "https://a.com"), ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "x-secret"),
            ], status: 403, fields: ["vary": preflightVary]),
        Case(
            name: "pattern origin", headers: [("Origin", "https://foo.example.org")], status: 200,
            fields: allowedActual.merging(["access-control-allow-origin": "https://foo.example.org"]) { $1 }),
        Case(
            name: "pattern's bare domain refused", headers: [("Origin", "https://example.org")], status: 200,
            fields: ["vary": "Origin"]),
        Case(
            name: "regex origin", headers: [("Origin", "https://pr-12.example.net")], status: 200,
            fields: allowedActual.merging(["access-control-allow-origin": "https://pr-12.example.net"]) { $1 }),
        Case(
            name: "regex matched whole", headers: [("Origin", "https://pr-12.example.net.evil.com")], status: 200,
            fields: ["vary": "Origin"]),
        Case(name: "null refused", headers: [("Origin", "null")], status: 200, fields: ["vary": "Origin"]),
        Case(
            name: "public route: any origin, no credentials", path: "/public/a/b",
            headers: [("Origin", "https://z.io")],
            status: 200, fields: ["access-control-allow-origin": "*", "access-control-expose-headers": "X-Foo"]),
    ]

    struct Outcome: Equatable, CustomStringConvertible {
        var status: UInt
        var fields: [String: String]
        var bodyIsEmpty: Bool
        var description: String { "\(status) \(fields.sorted { $0.key < $1.key })" }
    }

    static func outcome(of testCase: Case, base: String) async throws -> Outcome {
        var request = HTTPClientRequest(url: base + testCase.path)
        request.method = testCase.method
        for (name, value) in testCase.headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        var fields: [String: String] = [:]
        for header in response.headers {
            let name = header.name.lowercased()
            guard name == "vary" || name.hasPrefix("access-control-") else { continue }
            fields[name] = fields[name].map { $0 + ", " + header.value } ?? header.value
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        return Outcome(status: response.status.code, fields: fields, bodyIsEmpty: body.readableBytes == 0)
    }

    static func withServer(adapter: String, _ body: (String) async throws -> Void) async throws {
        let file = try PolicyFileFixture(policy)
        defer { file.remove() }
        let server = try await CORSProcess.serve([
            "--adapter", adapter, "--policy", file.path, "--log-level", "warning",
        ])
        defer { server.stop() }
        try await body(server.baseURL)
    }

    @Test(arguments: adapters)
    func tableHolds(adapter: String) async throws {
        try await Self.withServer(adapter: adapter) { base in
            for testCase in Self.cases {
                let outcome = try await Self.outcome(of: testCase, base: base)
                #expect(outcome.status == testCase.status, "\(adapter): \(testCase.name)")
                #expect(outcome.fields == testCase.fields, "\(adapter): \(testCase.name)")
                if testCase.method == .OPTIONS, testCase.status != 200 {
                    #expect(outcome.bodyIsEmpty, "\(adapter): \(testCase.name)")
                }
            }
        }
    }

    @Test func adaptersAnswerIdentically() async throws {
        var outcomes: [String: [Outcome]] = [:]
        for adapter in Self.adapters {
            try await Self.withServer(adapter: adapter) { base in
                var list: [Outcome] = []
                for testCase in Self.cases { list.append(try await Self.outcome(of: testCase, base: base)) }
                outcomes[adapter] = list
            }
        }
        let reference = try #require(outcomes["hummingbird"])
        for adapter in Self.adapters.dropFirst() {
            let other = try #require(outcomes[adapter])
            for (index, testCase) in Self.cases.enumerated() {
                #expect(other[index] == reference[index], "\(adapter) vs hummingbird: \(testCase.name)")
            }
        }
    }
}
