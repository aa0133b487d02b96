import HTTPTypes
import Testing

@testable import CORS

/// Issue 15's policy: `/admin/**` only for the admin origin, everything else for the app, with credentials.
private let admin = CORSConfiguration(
    origins: ["https://app.example.com"], credentials: true,
    routes: [
        CORSRouteConfiguration(path: "/admin/**", origins: ["https://admin.example.com"]),
        CORSRouteConfiguration(path: "/**"),
    ])

private let adminFoldingCase = with(admin) { $0.caseInsensitivePaths = true }

private let app = "https://app.example.com"
/// The app's origin on the `/**` route.
private let looser = Expected.forwarded(acao: app, acac: "true", vary: varyOrigin)
/// The app's origin on the `/admin/**` route.
private let stricter = Expected.forwarded(vary: varyOrigin, rejection: .originNotAllowed)
private let ambiguous = Expected.answered(400, vary: nil, rejection: .ambiguousPath)
private let malformed = Expected.answered(400, vary: nil, rejection: .malformedPath)

private func fromApp(_ name: String, _ path: String, in config: CORSConfiguration = admin, _ e: Expected)
    -> BehaviourCase
{
    BehaviourCase(name, config, path: path, [origin(app)], e)
}

private func segments(_ segment: String, _ count: Int) -> String {
    String(repeating: "/" + segment, count: count)
}

/// Route choice on the path as the server resolves it (issue 15, items 1–3).
@Suite struct RoutePathTests {
    /// Every form that stepped around `/admin/**` before, and the ones that must still reach `/**`.
    static let bypasses: [BehaviourCase] = [
        fromApp("plain /admin path", "/admin/secret", stricter),
        fromApp("/admin itself", "/admin", stricter),
        fromApp("a name that starts with admin", "/administrator/x", looser),
        fromApp("an unrelated path", "/app/x", looser),
        // Percent-encoded unreserved bytes are decoded.
        fromApp("%61 for a", "/%61dmin/secret", stricter),
        fromApp("every letter encoded, mixed hex case", "/%61%64%6D%69%6e/secret", stricter),
        fromApp("%2D%5F%7E decode to - _ ~", "/admin/%2D%5F%7E", stricter),
        fromApp("an encoded byte after the segment", "/admin%2D/x", looser),
        // Dot segments are removed, encoded or not.
        fromApp("../ before admin", "/x/../admin/x", stricter),
        fromApp("%2e%2e before admin", "/%2e%2e/admin/x", stricter),
        fromApp("%2E%2E before admin", "/%2E%2E/admin/x", stricter),
        fromApp(".%2e before admin", "/.%2e/admin/x", stricter),
        fromApp("./ before admin", "/./admin/x", stricter),
        fromApp("%2E/ before admin", "/%2E/admin/x", stricter),
        fromApp("more .. than segments", "/a/b/../../../../admin/x", stricter),
        fromApp("encoded .. inside admin", "/admin/%2e%2e/%2e%2e/admin/x", stricter),
        fromApp("admin/.. leaves admin", "/admin/..", looser),
        fromApp("admin/../x leaves admin", "/admin/../x", looser),
        fromApp("... is no dot segment", "/.../admin/x", looser),
        fromApp("an absolute-form target, encoded", "http://host/%61dmin/x", stricter),
        fromApp("a target without its leading slash", "admin/x", stricter),
        fromApp("empty segments and dots", "//./admin//x", stricter),
        // Case: by default paths are compared byte for byte; caseInsensitivePaths folds ASCII case.
        fromApp("/ADMIN on a case-sensitive upstream", "/ADMIN/x", looser),
        fromApp("/ADMIN with caseInsensitivePaths", "/ADMIN/x", in: adminFoldingCase, stricter),
        fromApp("/%41dmin with caseInsensitivePaths", "/%41dmin/x", in: adminFoldingCase, stricter),
        fromApp("/Admin.. still resolved with caseInsensitivePaths", "/x/../Admin/x", in: adminFoldingCase, stricter),
        fromApp("caseInsensitivePaths: another name stays looser", "/ADMINS/x", in: adminFoldingCase, looser),
        // Readings servers disagree on: refused when they select different routes.
        fromApp(";parameters in admin", "/admin;x/y", ambiguous),
        fromApp(";parameters alone", "/admin;/y", ambiguous),
        fromApp("..;/ (Tomcat reads ..)", "/x/..;/admin/x", ambiguous),
        fromApp("%2f inside a segment", "/admin%2fsecret", ambiguous),
        fromApp("%2F inside a segment", "/admin%2Fsecret", ambiguous),
        fromApp("%2F with dots", "/x%2F..%2Fadmin/x", ambiguous),
        fromApp("a backslash", "/admin\\x", ambiguous),
        fromApp("%5C", "/admin%5cx", ambiguous),
        fromApp("backslash before dots", "/x\\..\\admin/x", ambiguous),
        fromApp("an absolute-form target with a backslash", "http://host\\admin/x", ambiguous),
        fromApp(".. after an empty segment", "/admin//../x", ambiguous),
        // Readings that agree: no refusal.
        fromApp(";parameters on the looser route", "/app;v=1/x", looser),
        fromApp(";parameters on the stricter route", "/admin/x;jsessionid=1", stricter),
        fromApp("%2F on the looser route", "/files%2Fa", looser),
        fromApp("%2F on the stricter route", "/admin/a%2Fb", stricter),
        fromApp("a backslash on the looser route", "/a\\b", looser),
        fromApp("%3B: a parameter to servers that decode first", "/admin%3Bx/y", ambiguous),
        fromApp("%25 stays a percent sign", "/%2561dmin/x", looser),
        // Malformed: refused whatever the routes.
        fromApp("an invalid escape", "/%zz/admin", malformed),
        fromApp("a truncated escape", "/admin/%4", malformed),
        fromApp("a % before the query", "/admin%?x", malformed),
        fromApp("an encoded NUL", "/admin%00/x", malformed),
        fromApp("an encoded newline", "/x%0a", malformed),
        fromApp("a raw control byte", "/admin\u{01}/x", malformed),
        fromApp("DEL encoded", "/admin%7F", malformed),
        fromApp("only the query is malformed", "/admin/x?q=%zz", stricter),
        BehaviourCase(
            "an ambiguous preflight", admin, "OPTIONS", path: "/admin;x/y", [origin(app), acrm("PUT")], ambiguous),
        BehaviourCase("an ambiguous path without Origin", admin, path: "/admin%2fx", [], ambiguous),
        BehaviourCase(
            "no routes: nothing to choose, nothing refused", CORSConfiguration(origins: [app]), path: "/admin;x/%zz",
            [origin(app)], .forwarded(acao: app, vary: varyOrigin)),
    ]

    @Test(arguments: bypasses)
    func bypass(_ c: BehaviourCase) async throws {
        try await check(c)
    }

    @Test func ambiguousWebSocketUpgradeIsRefused() throws {
        let policy = try CORSPolicy(admin)
        guard case .refused(let rejection) = policy.webSocketVerdict(path: "/admin%2fx", headerFields: [:]) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(rejection.reason == .ambiguousPath)
        #expect(rejection.description.contains("'/admin%2fx'"))
    }

    /// Long and pathological paths: each decided correctly, without recursion (a 10,000-segment path
    /// overflowed the stack) and with at most the last `**` taking one more segment on a mismatch.
    static let long: [BehaviourCase] = [
        fromApp("10,000 segments on /**", segments("a", 10_000), looser),
        fromApp("10,000 segments on /admin/**", "/admin" + segments("a", 10_000), stricter),
        fromApp("10,000 .. segments", segments("..", 10_000) + "/admin/x", stricter),
        fromApp("10,000 %2e%2e segments", segments("%2e%2e", 10_000) + "/admin/x", stricter),
        fromApp(
            "10,000 segments removed by 10,000 ..", segments("a", 10_000) + segments("..", 10_000) + "/admin", stricter),
        fromApp("10,000 empty segments", String(repeating: "/", count: 10_000) + "admin/x", stricter),
        fromApp("10,000 ambiguous segments", segments("admin;x", 10_000), ambiguous),
        BehaviourCase(
            "10,000 segments on /public/**", routedExample, path: "/public" + segments("a", 10_000),
            [origin("https://evil.example")], .forwarded(acao: "*", aceh: "X-Foo", vary: nil)),
        BehaviourCase(
            "10,000 segments outside /public/**", routedExample, path: segments("a", 10_000),
            [origin("https://evil.example")], .forwarded(vary: varyOrigin, rejection: .originNotAllowed)),
        BehaviourCase("/**/x/**/x/**/y, 400 x: no match", pathological, path: segments("x", 400), [origin(b)], top),
        BehaviourCase(
            "/**/x/**/x/**/y, 400 x then y", pathological, path: segments("x", 400) + "/y", [origin(b)], routed),
        BehaviourCase("/**/x/**/y, 8,000 x: no match", pathological, path: segments("x", 8_000), [origin(b)], top),
        BehaviourCase(
            "/**/x/**/y, 8,000 x then y", pathological, path: segments("x", 8_000) + "/y", [origin(b)], routed),
        BehaviourCase(
            "/**/x/**/y, 8,000 x then y then z", pathological, path: segments("x", 8_000) + "/y/z", [origin(b)], top),
    ]

    @Test(arguments: long)
    func longPaths(_ c: BehaviourCase) async throws {
        try await check(c)
    }

    /// Both pathological patterns as routes (b.com), the top level for a.com only.
    private static let b = "https://b.com"
    private static let pathological = CORSConfiguration(
        origins: ["https://a.com"],
        routes: [
            CORSRouteConfiguration(path: "/**/x/**/x/**/y", origins: [b]),
            CORSRouteConfiguration(path: "/**/x/**/y", origins: [b]),
        ])
    private static let routed = Expected.forwarded(acao: b, vary: varyOrigin)
    private static let top = Expected.forwarded(vary: varyOrigin, rejection: .originNotAllowed)
    /// The README's example policy.
    private static let routedExample = with {
        $0.routes = [CORSRouteConfiguration(path: "/public/**", origins: ["*"], credentials: false)]
    }

    /// The glob match agrees with a plain recursive definition on every pattern of up to four segments
    /// over `a`, `b`, `*`, `**` and every path of up to five segments over `a`, `b`.
    @Test func globMatchesTheDefinition() throws {
        let patternSegments = ["a", "b", "*", "**"]
        let pathSegments = ["a", "b"]
        let patterns = sequences(of: patternSegments, upTo: 4)
        let paths = sequences(of: pathSegments, upTo: 5)
        var checked = 0
        for pattern in patterns {
            let compiled = try RoutePattern("/" + pattern.joined(separator: "/"))
            for path in paths {
                let expected = definition(pattern[...], path[...])
                let actual = RequestPath.withBytes(of: "/" + path.joined(separator: "/")) {
                    compiled.matches(RequestPath($0, reading: [], foldsCase: false))
                }
                #expect(actual == expected, "\(pattern) \(path)")
                checked += 1
            }
        }
        #expect(checked == 341 * 63)
    }

    private func sequences(of items: [String], upTo length: Int) -> [[String]] {
        var all: [[String]] = [[]]
        var last: [[String]] = [[]]
        for _ in 0..<length {
            last = last.flatMap { prefix in items.map { prefix + [$0] } }
            all += last
        }
        return all
    }

    /// `*` one segment, `**` any number, others literally (recursive: only for these small inputs).
    private func definition(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        switch first {
        case "**":
            return definition(pattern.dropFirst(), path) || (!path.isEmpty && definition(pattern, path.dropFirst()))
        case "*":
            return !path.isEmpty && definition(pattern.dropFirst(), path.dropFirst())
        default:
            return path.first == first && definition(pattern.dropFirst(), path.dropFirst())
        }
    }

    /// How paths resolve in each reading: the segments `/`-joined, as `**`-anchored literal patterns see them.
    static let readings: [(path: String, reading: RequestPath.Reading, resolved: String)] = [
        ("/a/b/c", [], "/a/b/c"),
        ("/a/./b/../c", [], "/a/c"),
        ("/a/b/..", [], "/a"),
        ("/..", [], "/"),
        ("/a//b///", [], "/a/b"),
        ("/a;p/b;q=1", [], "/a;p/b;q=1"),
        ("/a;p/b;q=1", .stripsParameters, "/a/b"),
        ("/a/..;x/b", .stripsParameters, "/b"),
        ("/a%2Fb", [], "/a%2Fb"),
        ("/a%2Fb", .encodedSlashSeparates, "/a/b"),
        ("/a\\b%5Cc", [], "/a\\b%5Cc"),
        ("/a\\b%5Cc", .backslashSeparates, "/a/b/c"),
        ("/a//../b", [], "/b"),
        ("/a//../b", .emptySegmentsCount, "/a/b"),
        ("http://h/a/../b?x", [], "/b"),
        ("http://h", [], "/"),
    ]

    @Test(arguments: readings)
    func resolves(_ path: String, _ reading: RequestPath.Reading, _ resolved: String) {
        let segments: [String] = RequestPath.withBytes(of: path) { bytes in
            let request = RequestPath(bytes, reading: reading, foldsCase: false)
            var cursor = request.last
            var found: [String] = []
            while let segment = request.previous(&cursor) {
                found.insert(String(decoding: UnsafeBufferPointer(rebasing: bytes[segment]), as: UTF8.self), at: 0)
            }
            return found
        }
        #expect("/" + segments.joined(separator: "/") == resolved)
    }
}
