import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One client connection driven step by step: send bytes, then wait for what must come back (or
/// for the server's close). Waits end on the event, with a backstop only for a broken build.
final class RawClient: Sendable {
    struct Seen: Sendable {
        /// The first 64 KiB received.
        var text = ""
        var byteCount = 0
        var closed = false
    }

    private struct Waiter {
        let condition: @Sendable (Seen) -> Bool
        let continuation: CheckedContinuation<Seen, Never>
    }

    private struct State {
        var seen = Seen()
        var waiters: [Waiter] = []
    }

    let channel: any Channel
    private let state: NIOLockedValueBox<State>

    private init(channel: any Channel, state: NIOLockedValueBox<State>) {
        self.channel = channel
        self.state = state
    }

    static func connect(port: Int) async throws -> RawClient {
        let state = NIOLockedValueBox(State())
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Reader(state: state))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawClient(channel: channel, state: state)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Returns what was received once `condition` holds for it (checked on every read and at the
    /// close), or at the backstop.
    func wait(
        backstop: TimeAmount = .seconds(60), until condition: @escaping @Sendable (Seen) -> Bool
    ) async -> Seen {
        let timer = channel.eventLoop.scheduleTask(in: backstop) { [state] in
            let waiters = state.withLockedValue { state in
                defer { state.waiters.removeAll() }
                return state.waiters
            }
            let seen = state.withLockedValue { $0.seen }
            for waiter in waiters { waiter.continuation.resume(returning: seen) }
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let done: Seen? = state.withLockedValue { state in
                if condition(state.seen) { return state.seen }
                state.waiters.append(Waiter(condition: condition, continuation: continuation))
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Waits until `text` has come.
    func wait(for text: String) async -> Seen {
        await wait { $0.text.contains(text) || $0.closed }
    }

    /// Waits for the server to close the connection.
    func waitForClose() async -> Seen {
        await wait { $0.closed }
    }

    func close() async {
        try? await channel.close()
    }

    /// Stops (or restarts) reading: a client that does not read what the tunnel sends.
    func setReading(_ reading: Bool) async throws {
        try await channel.setOption(.autoRead, value: reading)
    }

    private final class Reader: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state: NIOLockedValueBox<State>

        init(state: NIOLockedValueBox<State>) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            update { seen in
                if seen.text.utf8.count < 64 * 1024 { seen.text += String(buffer: buffer) }
                seen.byteCount += buffer.readableBytes
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            update { $0.closed = true }
        }

        private func update(_ change: (inout Seen) -> Void) {
            let (ready, seen) = state.withLockedValue { state -> ([Waiter], Seen) in
                change(&state.seen)
                let seen = state.seen
                let ready = state.waiters.filter { $0.condition(seen) }
                state.waiters.removeAll { $0.condition(seen) }
                return (ready, seen)
            }
            for waiter in ready { waiter.continuation.resume(returning: seen) }
        }
    }
}

/// An upstream that speaks just enough of a WebSocket server for the gateway's tunnel, which never
/// looks inside frames: by path,
/// - `/ws`: `101` with `Upgrade: websocket` and, in the same write, the bytes `hello` (an upstream
///   that greets at once); then every byte it reads goes back as it came.
/// - `/ws/flood`: `101`, then `floodBytes` bytes of `x` written as fast as the gateway takes them.
/// - `/ws/h2c`: `101` to `Upgrade: h2c`, a switch the gateway did not ask for.
/// - anything else: `200` with the request's head as the body (a declined upgrade, or a plain request).
/// It records each request head and counts the connections closed by the other side.
final class TunnelUpstream: Sendable {
    let channel: any Channel
    let heads = NIOLockedValueBox<[String]>([])
    let connections = NIOLockedValueBox<[any Channel]>([])
    let closedByGateway = NIOLockedValueBox(0)
    /// `/ws/flood`: bytes whose write completed (taken by the kernel).
    let floodWritten = NIOLockedValueBox(0)
    /// `/ws/flood`: what had been written when the upstream first had to wait for the gateway
    /// (`floodBytes` if it never had to).
    let stalled: EventLoopPromise<Int>
    static let floodBytes = 64 * 1024 * 1024
    var port: Int { channel.localAddress!.port! }

    init() async throws {
        let heads = self.heads
        let closedByGateway = self.closedByGateway
        let floodWritten = self.floodWritten
        let connections = self.connections
        let stalled = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Int.self)
        self.stalled = stalled
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    connections.withLockedValue { $0.append(channel) }
                    try channel.pipeline.syncOperations.addHandler(
                        Peer(
                            heads: heads, closedByGateway: closedByGateway, floodWritten: floodWritten, stalled: stalled
                        ))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var requestCount: Int { heads.withLockedValue { $0.count } }

    /// Closes every connection made to it (the listening socket stays).
    func closeConnections() {
        for connection in connections.withLockedValue({ $0 }) { connection.close(promise: nil) }
    }

    func close() async throws {
        stalled.succeed(-1)
        closeConnections()
        try await channel.close()
    }

    final class Peer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let heads: NIOLockedValueBox<[String]>
        let closedByGateway: NIOLockedValueBox<Int>
        let floodWritten: NIOLockedValueBox<Int>
        let stalled: EventLoopPromise<Int>
        var pending = ""
        var tunnelling = false
        var flooding = 0
        var closing = false

        init(
            heads: NIOLockedValueBox<[String]>, closedByGateway: NIOLockedValueBox<Int>,
            floodWritten: NIOLockedValueBox<Int>, stalled: EventLoopPromise<Int>
        ) {
            self.heads = heads
            self.closedByGateway = closedByGateway
            self.floodWritten = floodWritten
            self.stalled = stalled
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if tunnelling {
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                return
            }
            pending += String(buffer: buffer)
            guard let end = pending.range(of: "\r\n\r\n") else { return }
            let head = String(pending[..<end.upperBound])
            pending = ""
            heads.withLockedValue { $0.append(head) }
            let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let switching =
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
            switch path {
            case "/ws":
                tunnelling = true
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: switching + "hello")), promise: nil)
            case "/ws/flood":
                tunnelling = true
                flooding = TunnelUpstream.floodBytes
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: switching)), promise: nil)
                flood(context: context)
            case "/ws/h2c":
                let other = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: other)), promise: nil)
            default:
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: \(head.utf8.count)\r\n\r\n\(head)"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
            }
        }

        /// Writes while the channel takes more; continues when it is writable again.
        private func flood(context: ChannelHandlerContext) {
            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
            while flooding > 0, context.channel.isWritable {
                flooding -= chunk.readableBytes
                let written = floodWritten
                context.writeAndFlush(wrapOutboundOut(chunk)).whenSuccess {
                    written.withLockedValue { $0 += chunk.readableBytes }
                }
            }
            // Stalled: what was written by then. Never stalled (the gateway took it all as fast as
            // it came): the whole flood, which the test refuses.
            stalled.succeed(flooding > 0 ? floodWritten.withLockedValue { $0 } : TunnelUpstream.floodBytes)
        }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { flood(context: context) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            closedByGateway.withLockedValue { $0 += 1 }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

/// A WebSocket handshake for `path` (RFC 6455 §4.1), with `origin` when given.
func webSocketHandshake(path: String, origin: String?, upgrade: String = "websocket") -> String {
    "GET \(path) HTTP/1.1\r\nHost: localhost\r\n" + (origin.map { "Origin: \($0)\r\n" } ?? "")
        + "Upgrade: \(upgrade)\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n"
}
