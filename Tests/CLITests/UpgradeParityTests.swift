import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Upgrades the echo API does not make are answered like any request, by every adapter (RFC 9110
/// §7.8 lets a server ignore `Upgrade`). Found by black-box testing: Hummingbird's upgrade handler
/// dropped `curl --http2`'s request unanswered and answered a WebSocket handshake on another path
/// with 400; the NIO adapter upgraded a POST.
@Suite(.serialized) struct UpgradeParityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        var testDescription: String { name }
    }

    static let handshake =
        "Origin: http://localhost:3000\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"

    static let cases: [Case] = [
        Case(
            name: "h2c (curl --http2)",
            request: "GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"),
        Case(
            name: "an unknown protocol",
            request: "GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: foo\r\nConnection: Upgrade\r\n\r\n"),
        Case(
            name: "a WebSocket handshake on another path", request: "GET /ws/x HTTP/1.1\r\nHost: a\r\n\(handshake)\r\n"),
        Case(
            name: "a WebSocket handshake by POST",
            request: "POST /ws HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\(handshake)\r\n"),
    ]

    @Test(arguments: AdapterParityTests.adapters)
    func upgradesNotMadeAreAnsweredAsRequests(adapter: String) async throws {
        let server = try await CORSProcess.serve(["--adapter", adapter, "--log-level", "critical"])
        defer { server.stop() }
        let port = try #require(server.baseURL.split(separator: ":").last.flatMap { Int($0) })
        for testCase in Self.cases {
            let statusLine = try await Self.statusLine(port: port, testCase.request)
            #expect(statusLine == "HTTP/1.1 200 OK", "\(adapter): \(testCase.name)")
        }
    }

    @Test func anUnparsableRequestIsAnswered400AndTheNIOAdapterCloses() async throws {
        // Found by black-box testing: the 400 said `Connection: close` but the socket stayed open.
        let server = try await CORSProcess.serve(["--adapter", "nio", "--log-level", "critical"])
        defer { server.stop() }
        let port = try #require(server.baseURL.split(separator: ":").last.flatMap { Int($0) })
        let (text, closed) = try await Self.untilClosed(port: port, "HELLO\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.1 400"), "\(text)")
        #expect(closed, "the connection must end after the 400")
    }

    /// What comes back for `request` until the server closes (true) or 5 s pass (false).
    static func untilClosed(port: Int, _ request: String) async throws -> (String, Bool) {
        let channel = try await rawConnection(port: port)
        let timedOut = TimedOut()
        let timeout = channel.channel.eventLoop.scheduleTask(in: .seconds(5)) {
            timedOut.value.withLock { $0 = true }
            channel.channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            do {
                for try await chunk in inbound { text += String(buffer: chunk) }
            } catch {}
            return (text, !timedOut.value.withLock { $0 })
        }
    }

    /// The first line of the answer to `request` sent as raw bytes; "" when none comes in 5 s.
    static func statusLine(port: Int, _ request: String) async throws -> String {
        let channel = try await rawConnection(port: port)
        let timeout = channel.channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.channel.close(promise: nil) }
        defer { timeout.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            do {
                for try await chunk in inbound {
                    text += String(buffer: chunk)
                    if text.contains("\r\n") { break }
                }
            } catch {}
            return String(text.prefix { $0 != "\r\n" })
        }
    }
}

final class TimedOut: Sendable {
    let value = Mutex(false)
}
