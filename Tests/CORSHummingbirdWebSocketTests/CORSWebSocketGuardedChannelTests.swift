import CORS
import CORSHummingbirdWebSocket
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// The library's WebSocket guard in a Hummingbird app built as the README shows: refused origins
/// get 403 before the upgrade (and before `shouldUpgrade`), allowed ones are upgraded.
@Suite struct CORSWebSocketGuardedChannelTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var origin: String?
        var status: String
        var testDescription: String { "\(origin ?? "no Origin") → \(status)" }
    }

    static let cases = [
        Case(origin: "https://app.example.com", status: "101"),
        Case(origin: "https://evil.example", status: "403"),
        Case(origin: "null", status: "403"),
        // A non-browser client sends no Origin: nothing for CORS to judge.
        Case(origin: nil, status: "101"),
    ]

    final class Counter: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NIOLock()
        private var value = 0
        func increment() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    /// The status line's code of the server's answer to a WebSocket handshake.
    static func handshake(port: Int, origin: String?) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var request =
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            if let origin { request += "Origin: \(origin)\r\n" }
            try await outbound.write(ByteBuffer(string: request + "\r\n"))
            var text = ""
            for try await chunk in inbound {
                text += String(buffer: chunk)
                if text.contains("\r\n\r\n") { break }
            }
            return String(text.dropFirst("HTTP/1.1 ".count).prefix(3))
        }
    }

    @Test(arguments: cases)
    func refusedOriginsGet403BeforeTheUpgrade(_ testCase: Case) async throws {
        let policy = try CORSPolicy(CORSConfiguration(origins: ["https://app.example.com"]))
        let asked = Counter()
        let sockets = Router(context: BasicWebSocketRequestContext.self)
        sockets.ws(
            "/ws",
            shouldUpgrade: { _, _ in
                asked.increment()
                return .upgrade([:])
            },
            onUpgrade: { _, _, _ in })
        let app = Application(
            router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: sockets, cors: policy),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let status = try await Self.handshake(port: client.port!, origin: testCase.origin)
            #expect(status == testCase.status)
            // A refused origin never reaches the application's upgrade decision.
            #expect(asked.count == (testCase.status == "101" ? 1 : 0))
        }
    }
}
