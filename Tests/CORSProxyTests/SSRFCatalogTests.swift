import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CORSProxy

/// Every way a target can point back inside: each row is checked by the guard alone (no
/// connection can happen: the guard returns an address, it does not connect).
@Suite struct SSRFCatalogTests {
    enum Expected: Sendable, CustomStringConvertible {
        case refused(Int)
        case allowed(String)
        var description: String {
            switch self {
            case .refused(let code): "refused \(code)"
            case .allowed(let address): "allowed → \(address)"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let url: String
        let expected: Expected
        var testDescription: String { "\(url) \(expected)" }
        init(_ url: String, _ expected: Expected) {
            self.url = url
            self.expected = expected
        }
    }

    static let dns: [String: [String]] = [
        "internal.test": ["10.0.0.1"],
        "mixed.test": ["93.184.216.34", "127.0.0.1"],
        "v6loop.test": ["::1"],
        "mapped.test": ["::ffff:10.0.0.1"],
        "metadata.test": ["169.254.169.254"],
        "nip.test": ["127.0.0.1"],
        "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
        "ula.test": ["fd12:3456::1"],
    ]

    static let cases: [Case] = [
        Case("http://127.0.0.1/", .refused(403)),
        Case("http://2130706433/", .refused(403)),
        Case("http://0177.0.0.1/", .refused(403)),
        Case("http://017700000001/", .refused(403)),
        Case("http://0x7f.1/", .refused(403)),
        Case("http://0x7f000001/", .refused(403)),
        Case("http://0x7f.0x0.0x0.0x1/", .refused(403)),
        Case("http://127.1/", .refused(403)),
        Case("http://127.0.0.1./", .refused(403)),
        Case("http://0.0.0.0/", .refused(403)),
        Case("http://0/", .refused(403)),
        Case("http://[::]/", .refused(403)),
        Case("http://[::1]/", .refused(403)),
        Case("http://[0:0:0:0:0:0:0:1]/", .refused(403)),
        Case("http://[::ffff:127.0.0.1]/", .refused(403)),
        Case("http://[::ffff:7f00:1]/", .refused(403)),
        // IPv4-translated (found by a black-box pass: it was classed public).
        Case("http://[::ffff:0:7f00:1]/", .refused(403)),
        Case("http://[::ffff:0:8.8.8.8]/", .refused(403)),
        Case("http://[::ffff:8.8.8.8]/", .refused(403)),
        Case("http://169.254.169.254/", .refused(403)),
        Case("http://[::ffff:169.254.169.254]/", .refused(403)),
        Case("http://10.0.0.1/", .refused(403)),
        Case("http://172.16.5.4/", .refused(403)),
        Case("http://172.31.255.255/", .refused(403)),
        Case("http://192.168.1.1/", .refused(403)),
        Case("http://100.64.0.1/", .refused(403)),
        Case("http://198.18.0.1/", .refused(403)),
        Case("http://192.0.0.8/", .refused(403)),
        Case("http://192.0.2.1/", .refused(403)),
        Case("http://198.51.100.7/", .refused(403)),
        Case("http://203.0.113.9/", .refused(403)),
        Case("http://224.0.0.1/", .refused(403)),
        Case("http://240.0.0.1/", .refused(403)),
        Case("http://255.255.255.255/", .refused(403)),
        Case("http://[fc00::1]/", .refused(403)),
        Case("http://[fd00::1]/", .refused(403)),
        Case("http://[fe80::1]/", .refused(403)),
        Case("http://[64:ff9b::a00:1]/", .refused(403)),
        Case("http://[64:ff9b::10.0.0.1]/", .refused(403)),
        Case("http://[2001:db8::1]/", .refused(403)),
        Case("http://[3fff:fff::1]/", .refused(403)),
        Case("http://[3fff:1000::1]/", .allowed("3fff:1000::1")),
        Case("http://[2002:7f00:1::]/", .refused(403)),
        Case("http://[ff02::1]/", .refused(403)),
        Case("http://internal.test/", .refused(403)),
        Case("http://INTERNAL.test./", .refused(403)),
        Case("http://mixed.test/", .refused(403)),
        Case("http://v6loop.test/", .refused(403)),
        Case("http://mapped.test/", .refused(403)),
        Case("http://metadata.test/latest/meta-data/", .refused(403)),
        Case("http://nip.test:8080/", .refused(403)),
        Case("http://ula.test/", .refused(403)),
        Case("http://unknown.test/", .refused(502)),
        Case("ftp://example.com/", .refused(400)),
        Case("file:///etc/passwd", .refused(400)),
        Case("http://1.2.3.256/", .refused(400)),
        Case("http://0x/", .refused(403)),
        Case("http://1.2.3.4.5/", .refused(400)),
        Case("http://[\u{301}::1]/", .refused(400)),
        Case("http://08.0.0.1/", .refused(400)),
        Case("http://18446744073709551616/", .refused(400)),
        Case("http://[::g]/", .refused(400)),
        Case("http://user:pw@public.test/", .refused(400)),
        Case("http://93.184.216.34/", .allowed("93.184.216.34")),
        Case("http://1572395042/", .allowed("93.184.216.34")),
        Case("http://[64:ff9b::5db8:d822]/", .allowed("64:ff9b::5db8:d822")),
        Case("https://public.test/x", .allowed("93.184.216.34")),
    ]

    @Test(arguments: cases)
    func guardDecides(_ testCase: Case) async throws {
        let guardian = SSRFGuard(resolver: MapResolver(single: Self.dns))
        var outcome: Expected
        do {
            let target = try TargetURL(parsing: Substring(testCase.url))
            let checked = try await guardian.check(target)
            outcome = .allowed(checked.address.description)
        } catch {
            outcome = .refused(Int(error.status.code))
            if error.status == .forbidden { #expect(error.message.hasPrefix("Forbidden: ")) }
        }
        #expect("\(outcome)" == "\(testCase.expected)")
    }

    @Test func literalsAreNotLookedUp() async throws {
        let resolver = MapResolver(single: [:])
        let guardian = SSRFGuard(resolver: resolver)
        await #expect(throws: ProxyRejection.self) {
            try await guardian.check(TargetURL(parsing: "http://2130706433/"))
        }
        #expect(resolver.lookups(of: "2130706433") == 0)
    }

    @Test func allowPrivateLetsLoopbackThrough() async throws {
        let guardian = SSRFGuard(resolver: MapResolver(single: [:]), allowPrivate: true)
        let checked = try await guardian.check(TargetURL(parsing: "http://127.1:9/"))
        #expect(checked.address == IPAddress("127.0.0.1"))
    }

    @Test func allowTargetListRefusesOthers() async throws {
        let guardian = SSRFGuard(
            resolver: MapResolver(single: Self.dns), allowedTargets: ["public.test"])
        _ = try await guardian.check(TargetURL(parsing: "http://public.test/"))
        await #expect(throws: ProxyRejection.self) {
            try await guardian.check(TargetURL(parsing: "http://93.184.216.34/"))
        }
    }

    /// The "done when" list, end to end through `cors proxy`: 403 with a clear message,
    /// and no upstream ever contacted (the only server is the loopback upstream, and it counts).
    static let doneWhen = [
        "http://127.0.0.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/",
        "http://internal.test/",
    ]

    @Test(arguments: doneWhen)
    func proxyRefusesBeforeConnecting(_ url: String) async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { port in
            let resolver = MapResolver(single: ["internal.test": ["10.0.0.1"]])
            // Nothing trusted: this proxy treats the loopback upstream as the private address it is.
            try await makeProxy(resolver: resolver, trusted: []).test(.live) { client in
                let target = url.replacingOccurrences127(port: port)
                try await client.execute(uri: "/\(target)", method: .get, headers: [.origin: "http://app.test"]) {
                    response in
                    #expect(response.status == .forbidden)
                    #expect(response.text.contains("non-public address"))
                    #expect(response.values("Access-Control-Allow-Origin") == ["*"])
                }
            }
        }
        #expect(await hits.hits == 0)
    }

    @Test func redirectToPrivateAddressIsRefused() async throws {
        try await withUpstream { port in
            let resolver = MapResolver(single: ["upstream.test": ["127.0.0.1"], "internal.test": ["10.0.0.1"]])
            try await makeProxy(resolver: resolver).test(.live) { client in
                for location in ["http://127.0.0.2:\(port)/echo", "http://internal.test/", "http://[::1]:\(port)/echo"]
                {
                    try await client.execute(
                        uri: "/http://upstream.test:\(port)/redirect/302?to=\(location)", method: .get,
                        headers: [.origin: "http://app.test"]
                    ) { response in
                        #expect(response.status == .forbidden, "\(location)")
                        #expect(response.text.contains("non-public"), "\(location)")
                    }
                }
            }
        }
    }

    /// A resolver that answers a public (here: trusted) address first and a private one next: the
    /// proxy connects to the address it checked, once, and never asks again for that request.
    @Test func rebindingCannotRedirectTheConnection() async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { port in
            let resolver = MapResolver(["rebind.test": [[IPAddress("127.0.0.1")!], [IPAddress("10.0.0.1")!]]])
            try await makeProxy(resolver: resolver).test(.live) { client in
                try await client.execute(
                    uri: "/http://rebind.test:\(port)/echo", method: .get, headers: [.origin: "http://app.test"]
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.text.contains("host: rebind.test:\(port)"))
                }
                #expect(resolver.lookups(of: "rebind.test") == 1)
                try await client.execute(
                    uri: "/http://rebind.test:\(port)/echo", method: .get, headers: [.origin: "http://app.test"]
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.text.contains("10.0.0.1"))
                }
            }
        }
        #expect(await hits.hits == 1)
    }
}

extension String {
    /// Test URLs for 127.0.0.1 get the upstream's port, so a wrong "allowed" would still only
    /// reach the loopback test server.
    fileprivate func replacingOccurrences127(port: Int) -> String {
        self == "http://127.0.0.1/" ? "http://127.0.0.1:\(port)/echo" : self
    }
}
