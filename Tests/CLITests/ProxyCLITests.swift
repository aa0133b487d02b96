import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Black-box: `cors serve --upstream` and `cors proxy` as a user starts them. Loopback only: the
/// proxy's refusals happen before any connection.
@Suite(.serialized) struct ProxyCLITests {
    /// Starts `cors ARGUMENTS --port 0` and waits for `listening on`; returns the process and base URL.
    static func start(_ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = CORSProcess.executable
        process.arguments = arguments + ["--port", "0", "--log-level", "error"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                return (process, String(line.dropFirst("listening on ".count)))
            }
        }
        process.terminate()
        throw CORSProcess.StartFailure(message: "cors \(arguments.joined(separator: " ")) did not start")
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
        let upstream = try CORSProcess.serve([])
        defer { upstream.stop() }
        let policy = try PolicyFileFixture(#"{ "origins": ["http://localhost:3000"] }"#)
        defer { policy.remove() }
        let (gateway, base) = try Self.start(["serve", "--upstream", upstream.baseURL, "--policy", policy.path])
        defer { gateway.terminate() }

        let (allowed, body) = try await get(base + "/items?x=1", headers: [("Origin", "http://localhost:3000")])
        #expect(allowed.status == .ok)
        #expect(allowed.headers["Access-Control-Allow-Origin"] == ["http://localhost:3000"])
        #expect(body.contains("/items"))
        // The upstream allows this origin, the policy does not: the upstream's ACAO is removed.
        let (refused, _) = try await get(base + "/items", headers: [("Origin", "http://localhost:4000")])
        #expect(refused.headers["Access-Control-Allow-Origin"].isEmpty)
    }

    static let refusedTargets = [
        "http://127.0.0.1/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/",
        "http://0x7f.1/", "http://[::1]/",
    ]

    @Test func proxyRefusesNonPublicTargets() async throws {
        let (proxy, base) = try Self.start(["proxy"])
        defer { proxy.terminate() }
        for target in Self.refusedTargets {
            let (response, body) = try await get(base + "/" + target, headers: [("Origin", "http://app.test")])
            #expect(response.status == .forbidden, "\(target)")
            #expect(body.contains("non-public address"), "\(target): \(body)")
        }
        let (help, text) = try await get(base + "/", headers: [])
        #expect(help.status == .ok)
        #expect(text.contains("CORS proxy"))
    }

    @Test func proxyStopsCleanlyOnSIGTERM() async throws {
        let (proxy, _) = try Self.start(["proxy"])
        proxy.terminate()
        proxy.waitUntilExit()
        #expect(proxy.terminationStatus == 0)
    }
}
