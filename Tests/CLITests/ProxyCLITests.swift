import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Testing

/// Black-box: `cors serve --upstream` and `cors proxy` as a user starts them. Loopback only: the
/// proxy's refusals happen before any connection.
@Suite(.serialized) struct ProxyCLITests {
    /// Starts `cors ARGUMENTS --port 0` and waits for `listening on`; returns the process and base URL.
    static func start(_ arguments: [String]) async throws -> (CORSProcess, String) {
        let (process, lines) = try await start(arguments, waitingFor: ["listening on "])
        return (process, lines[0])
    }

    /// Starts `cors ARGUMENTS --port 0` and waits until a line with each prefix was printed;
    /// returns the process and the rest of each such line, in the order of `prefixes`.
    static func start(_ arguments: [String], waitingFor prefixes: [String]) async throws -> (CORSProcess, [String]) {
        try await CORSProcess.start(arguments + ["--port", "0", "--log-level", "error"], waitingFor: prefixes)
    }

    func get(_ url: String, headers: [(String, String)]) async throws -> (HTTPClientResponse, String) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response, String(buffer: body))
    }

    @Test func gatewayAnswersWithExactlyOneAllowOriginThePolicys() async throws {
        // The upstream is the echo API under the development policy: it sends its own ACAO for
        // any http://localhost:* origin.
        let upstream = try await CORSProcess.serve([])
        defer { upstream.stop() }
        let policy = try PolicyFileFixture(#"{ "origins": ["http://localhost:3000"] }"#)
        defer { policy.remove() }
        let (gateway, base) = try await Self.start(["serve", "--upstream", upstream.baseURL, "--policy", policy.path])
        defer { gateway.stop() }

        let (allowed, body) = try await get(base + "/items?x=1", headers: [("Origin", "http://localhost:3000")])
        #expect(allowed.status == .ok)
        #expect(allowed.headers["Access-Control-Allow-Origin"] == ["http://localhost:3000"])
        #expect(body.contains("/items"))
        // The upstream allows this origin, the policy does not: the upstream's ACAO is removed.
        let (refused, _) = try await get(base + "/items", headers: [("Origin", "http://localhost:4000")])
        #expect(refused.headers["Access-Control-Allow-Origin"].isEmpty)
    }

    @Test func gatewayCountsRequestsOnItsPrometheusEndpoint() async throws {
        let upstream = try await CORSProcess.serve([])
        defer { upstream.stop() }
        let (gateway, lines) = try await Self.start(
            ["serve", "--upstream", upstream.baseURL, "--metrics-port", "0"],
            waitingFor: ["listening on ", "metrics on "])
        defer { gateway.stop() }
        for _ in 0..<3 { _ = try await get(lines[0] + "/items", headers: [("Origin", "http://localhost:3000")]) }
        let (response, text) = try await get(lines[1], headers: [])
        #expect(response.status == .ok)
        #expect(text.contains("cors_gateway_requests_total 3"), "\(text)")
        #expect(text.contains("cors_gateway_upstream_duration_seconds"))
        // The proxied port does not answer it: /metrics there is forwarded like any path.
        let (_, forwarded) = try await get(lines[0] + "/metrics", headers: [])
        #expect(!forwarded.contains("cors_gateway_requests_total"))
    }

    @Test func proxyCountsRejectionsByReason() async throws {
        let (proxy, lines) = try await Self.start(
            ["proxy", "--metrics-port", "0"], waitingFor: ["listening on ", "metrics on "])
        defer { proxy.stop() }
        _ = try await get(lines[0] + "/http://127.0.0.1/", headers: [("Origin", "http://app.test")])
        let (_, text) = try await get(lines[1], headers: [])
        #expect(text.contains("cors_proxy_rejections_total"), "\(text)")
        #expect(text.contains("ssrf"), "\(text)")
    }

    @Test func upstreamCAMustBeAReadableFileForAnHTTPSUpstream() async throws {
        let missing = try await CORSProcess.run(
            ["serve", "--upstream", "https://127.0.0.1:1", "--upstream-ca", "/nonexistent/ca.pem"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("--upstream-ca /nonexistent/ca.pem"))
        let plain = try await CORSProcess.run([
            "serve", "--upstream", "http://127.0.0.1:1", "--upstream-ca", "/etc/hosts",
        ])
        #expect(plain.status == 2)
        #expect(plain.standardError.contains("https://"))
        // A file that holds no certificate: refused before anything listens.
        let notPEM = try await CORSProcess.run([
            "serve", "--upstream", "https://127.0.0.1:1", "--upstream-ca", "/etc/hosts",
        ])
        #expect(notPEM.status == 2)
        #expect(notPEM.standardError.contains("TLS setup failed"))
    }

    @Test func metricsPortWithoutUpstreamIsAUsageError() async throws {
        let result = try await CORSProcess.run(["serve", "--metrics-port", "9100"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--metrics-port"))
    }

    @Test(arguments: [["proxy", "--threads", "0"], ["serve", "--threads", "2000"]])
    func threadsOutOfRangeIsAUsageError(_ arguments: [String]) async throws {
        let result = try await CORSProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains("--threads must be between 1 and 1024"))
    }

    struct UsageError: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        /// What the message must name.
        let says: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    /// Found by black-box testing: each used to start (wrapping, crashing or refusing every
    /// request later); each is a usage error naming the flag now.
    static let usageErrors: [UsageError] = [
        UsageError(arguments: ["serve", "--keep-underscore-headers"], says: "it needs --upstream"),
        UsageError(arguments: ["serve", "--no-websockets"], says: "--no-websockets is about the gateway"),
        UsageError(arguments: ["serve", "--tunnel-idle-timeout", "5"], says: "it needs --upstream"),
        UsageError(
            arguments: ["serve", "--upstream", "http://127.0.0.1:1", "--tunnel-idle-timeout", "0"],
            says: "--tunnel-idle-timeout must be between 1 and 86400 seconds"),
        UsageError(
            arguments: ["serve", "--upstream", "http://127.0.0.1:1", "--tunnel-byte-limit", "-5"],
            says: "--tunnel-byte-limit must be a number of bytes from 1"),
        UsageError(arguments: ["proxy", "--timeout", "inf"], says: "--timeout must be a number of seconds"),
        UsageError(arguments: ["proxy", "--timeout", "1e10"], says: "--timeout must be a number of seconds"),
        UsageError(arguments: ["proxy", "--port", "70000"], says: "--port must be a port number"),
        UsageError(arguments: ["serve", "--port", "65536"], says: "--port must be a port number"),
        UsageError(arguments: ["serve", "--host", "[::1]"], says: "without brackets"),
        UsageError(arguments: ["proxy", "--host", "999.1.1.1"], says: "--host 999.1.1.1 is not an address"),
        UsageError(arguments: ["proxy", "--allow-origin", "https://a.test/"], says: "--allow-origin"),
        UsageError(arguments: ["proxy", "--deny-origin", "not an origin"], says: "--deny-origin"),
        UsageError(arguments: ["proxy", "--allow-target", "http://127.0.0.1:18101/"], says: "is not a host"),
        UsageError(arguments: ["proxy", "--allow-target", "127.0.0.1:18101"], says: "is not a host"),
        UsageError(arguments: ["proxy", "--allow-target", ""], says: "is not a host"),
        UsageError(
            arguments: ["serve", "--upstream", "http://127.0.0.1:1", "--adapter", "vapor"], says: "drop --adapter"),
        UsageError(arguments: ["serve", "--upstream", "http://127.0.0.1:1/api?x=1"], says: "no query or fragment"),
    ]

    @Test(arguments: usageErrors)
    func badValuesAreUsageErrors(_ testCase: UsageError) async throws {
        let result = try await CORSProcess.run(testCase.arguments)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardError.contains(testCase.says), "\(result.standardError)")
        #expect(!result.standardOutput.contains("listening on"))
    }

    @Test func aBusyPortIsNamedBeforeAnythingListens() async throws {
        let busy = try await CORSProcess.serve([])
        defer { busy.stop() }
        let port = try #require(busy.baseURL.split(separator: ":").last.flatMap { Int($0) })
        for arguments in [
            ["proxy", "--port", "0", "--metrics-port", "\(port)"],
            ["serve", "--upstream", "http://127.0.0.1:1", "--port", "0", "--metrics-port", "\(port)"],
            ["proxy", "--port", "\(port)"],
        ] {
            let result = try await CORSProcess.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.standardError.contains("cannot listen on 127.0.0.1:\(port)"), "\(result.standardError)")
            #expect(!result.standardOutput.contains("listening on"), "\(arguments)")
        }
    }

    @Test func gatewayAndProxyServeOnOneEventLoop() async throws {
        let upstream = try await CORSProcess.serve([])
        defer { upstream.stop() }
        let (gateway, gatewayBase) = try await Self.start(["serve", "--threads", "1", "--upstream", upstream.baseURL])
        defer { gateway.stop() }
        let (proxy, proxyBase) = try await Self.start(["proxy", "--threads", "1", "--allow-private"])
        defer { proxy.stop() }
        for process in [gateway, proxy] {
            // NIO names its singleton group's threads NIO-SGLTN-<group>-#<n>.
            let tasks = "/proc/\(process.process.processIdentifier)/task"
            guard let threads = try? FileManager.default.contentsOfDirectory(atPath: tasks) else { continue }
            let loops = threads.filter { thread in
                let name = (try? String(contentsOfFile: "\(tasks)/\(thread)/comm", encoding: .utf8)) ?? ""
                return name.hasPrefix("NIO-SGLTN-")
            }
            #expect(loops.count == 1, "\(process.process.arguments ?? [])")
        }
        let origin = ("Origin", "http://localhost:3000")
        for _ in 0..<3 {
            let (viaGateway, _) = try await get(gatewayBase + "/items", headers: [origin])
            #expect(viaGateway.status == .ok)
            let (viaProxy, _) = try await get(proxyBase + "/" + upstream.baseURL + "/items", headers: [origin])
            #expect(viaProxy.status == .ok)
        }
    }

    static let refusedTargets = [
        "http://127.0.0.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/",
        "http://0x7f.1/", "http://[::1]/",
    ]

    @Test func proxyRefusesNonPublicTargets() async throws {
        let (proxy, base) = try await Self.start(["proxy"])
        defer { proxy.stop() }
        for target in Self.refusedTargets {
            let (response, body) = try await get(base + "/" + target, headers: [("Origin", "http://app.test")])
            #expect(response.status == .forbidden, "\(target)")
            #expect(body.contains("non-public address"), "\(target): \(body)")
        }
        let (help, text) = try await get(base + "/", headers: [])
        #expect(help.status == .ok)
        #expect(text.contains("CORS proxy"))
    }

    @Test func gatewayFinishesARequestInFlightAfterSIGTERM() async throws {
        // Longer than the 3 s the echo server is given to stop: the gateway waits for its answers.
        let upstream = try await SlowUpstream(delay: .seconds(4))
        let (gateway, base) = try await Self.start(["serve", "--upstream", upstream.baseURL])
        let started = Date()
        let answer = Task { try await get(base + "/slow", headers: [("Origin", "http://localhost:3000")]) }
        // SIGTERM once the request is in flight: the upstream has it.
        while upstream.received.withLockedValue({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        gateway.stop()
        let (response, body) = try await answer.value
        #expect(response.status == .ok)
        #expect(body == "slow")
        #expect(await gateway.exitStatus() == 0)
        // Only that it did not hang (a backstop, not a measure of shutdown time).
        #expect(Date().timeIntervalSince(started) < 60)
        try await upstream.close()
    }

    @Test func proxyStopsCleanlyOnSIGTERM() async throws {
        let (proxy, _) = try await Self.start(["proxy"])
        proxy.stop()
        #expect(await proxy.exitStatus() == 0)
    }
}
