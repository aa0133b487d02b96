import CORS
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@testable import CORSProxy

/// Sends raw bytes on one connection and collects what comes back until `done` says so, the
/// server closes, or `timeout` passes. With `readDelay`, nothing is read for that long (a slow client).
func rawExchange(
    port: Int, _ request: String, timeout: TimeAmount = .seconds(60), readDelay: TimeAmount? = nil,
    done: @escaping @Sendable (String) -> Bool
) async throws -> String {
    try await rawExchangeEnding(port: port, request, timeout: timeout, readDelay: readDelay, done: done).text
}

/// Sends raw bytes and collects the answer until the server closes the connection; `closedByServer`
/// says whether it did, rather than the backstop `timeout` ending the wait.
func rawExchangeToClose(
    port: Int, _ request: String, timeout: TimeAmount = .seconds(120)
) async throws -> (text: String, closedByServer: Bool) {
    try await rawExchangeEnding(port: port, request, timeout: timeout, readDelay: nil) { _ in false }
}

private func rawExchangeEnding(
    port: Int, _ request: String, timeout: TimeAmount, readDelay: TimeAmount?,
    done: @escaping @Sendable (String) -> Bool
) async throws -> (text: String, closedByServer: Bool) {
    let received = NIOLockedValueBox("")
    let closed = NIOLockedValueBox(false)
    let finished = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    Collector(received: received, done: done, finished: finished, closed: closed))
            }
        }
        .channelOption(.autoRead, value: readDelay == nil)
        .connect(host: "127.0.0.1", port: port).get()
    try await channel.writeAndFlush(ByteBuffer(string: request))
    if let readDelay {
        try await Task.sleep(for: .nanoseconds(readDelay.nanoseconds))
        try await channel.setOption(.autoRead, value: true).get()
    }
    let timeout = channel.eventLoop.scheduleTask(in: timeout) { finished.succeed() }
    try await finished.futureResult.get()
    timeout.cancel()
    let closedByServer = closed.withLockedValue { $0 }
    try? await channel.close()
    return (received.withLockedValue { $0 }, closedByServer)
}

final class Collector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received: NIOLockedValueBox<String>
    let done: @Sendable (String) -> Bool
    let finished: EventLoopPromise<Void>
    /// Set when the server closed the connection.
    let closed: NIOLockedValueBox<Bool>

    init(
        received: NIOLockedValueBox<String>, done: @escaping @Sendable (String) -> Bool,
        finished: EventLoopPromise<Void>, closed: NIOLockedValueBox<Bool> = NIOLockedValueBox(false)
    ) {
        self.received = received
        self.done = done
        self.finished = finished
        self.closed = closed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let text = String(buffer: unwrapInboundIn(data))
        let all = received.withLockedValue { value in
            value += text
            return value
        }
        // Large answers: only the tail is looked at, or every read would rescan megabytes.
        if done(all.utf8.count < 1 << 20 ? all : String(all.suffix(64 * 1024))) { finished.succeed() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed.withLockedValue { $0 = true }
        finished.succeed()
    }
}

/// An upstream that answers the first request on each connection and closes the connection,
/// silently (or with a reset), when a second one comes: a keep-alive connection the upstream
/// dropped while idle.
final class OneShotUpstream: Sendable {
    let channel: any Channel
    let requests = NIOLockedValueBox(0)
    var port: Int { channel.localAddress!.port! }

    init(reset: Bool = false) async throws {
        let requests = self.requests
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Answerer(requests: requests, reset: reset))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws { try await channel.close() }

    final class Answerer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let requests: NIOLockedValueBox<Int>
        let reset: Bool
        var answered = false
        init(requests: NIOLockedValueBox<Int>, reset: Bool) {
            self.requests = requests
            self.reset = reset
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !answered else {
                if reset, let provider = context.channel as? any SocketOptionProvider {
                    // Linger 0: the close sends RST, which the reader sees as ECONNRESET.
                    let channel = context.channel
                    provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
                        channel.close(promise: nil)
                    }
                } else {
                    context.close(promise: nil)
                }
                return
            }
            answered = true
            requests.withLockedValue { $0 += 1 }
            let reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: reply)), promise: nil)
        }
    }
}

/// An upstream that records the bytes of each request and answers `recorded` once one is complete
/// (a chunked body's last chunk and trailer section seen).
final class RecordingUpstream: Sendable {
    let channel: any Channel
    let received = NIOLockedValueBox("")
    var port: Int { channel.localAddress!.port! }

    init() async throws {
        let received = self.received
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async throws { try await channel.close() }

    final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<String>
        init(received: NIOLockedValueBox<String>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = received.withLockedValue { value in
                value += String(buffer: unwrapInboundIn(data))
                return value
            }
            guard text.contains("\r\n0\r\n"), text.hasSuffix("\r\n\r\n") else { return }
            let reply = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nrecorded"
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: reply)), promise: nil)
        }
    }
}

@Suite struct GatewayConnectionTests {
    static let origin = GatewayTests.origin

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let request = { (path: String) in
                    "GET \(path) HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                }
                let text = try await rawExchange(
                    port: client.port!, request("/echo/first") + request("/echo/second") + request("/echo/third")
                ) { $0.components(separatedBy: "HTTP/1.1 200").count == 4 && $0.contains("GET /echo/third") }
                let first = try #require(text.range(of: "GET /echo/first"))
                let second = try #require(text.range(of: "GET /echo/second"))
                let third = try #require(text.range(of: "GET /echo/third"))
                #expect(first.lowerBound < second.lowerBound && second.lowerBound < third.lowerBound)
                #expect(
                    text.lowercased().components(separatedBy: "access-control-allow-origin: \(Self.origin)").count == 4)
            }
        }
    }

    @Test func pipelinedPreflightWaitsForTheAnswerBeforeIt() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "GET /echo/first HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                        + "OPTIONS /echo HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n"
                        + "Access-Control-Request-Method: PUT\r\n\r\n"
                ) { $0.contains("HTTP/1.1 204") }
                let answer = try #require(text.range(of: "GET /echo/first"))
                let preflight = try #require(text.range(of: "HTTP/1.1 204"))
                #expect(answer.lowerBound < preflight.lowerBound)
            }
        }
    }

    @Test func aSlowClientPausesTheUpstreamAndTheConnectionIsReusedAfterwards() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let big = 8 << 20
                let request = { (path: String) in
                    "GET \(path) HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                }
                // Not reading for a while fills the socket buffers: the gateway stops reading upstream.
                let text = try await rawExchange(
                    port: client.port!, request("/bytes/\(big)") + request("/echo/after"), timeout: .seconds(60),
                    readDelay: .milliseconds(500)
                ) { $0.contains("GET /echo/after") }
                #expect(text.utf8.count > big)
                #expect(text.contains("GET /echo/after"))
                // The upstream connection that was paused serves the next client without a stall.
                let again = try await client.execute(uri: "/echo/again", method: .get, headers: [.origin: Self.origin])
                #expect(again.status == .ok)
            }
        }
    }

    @Test func anUnparsableRequestIs400AndTheConnectionCloses() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let (text, closed) = try await rawExchangeToClose(
                    port: client.port!, "GET / HTTP/1.1\r\nBad Header\r\n\r\n")
                #expect(closed, "the gateway closed it, not the backstop")
                #expect(text.hasPrefix("HTTP/1.1 400"))
                #expect(text.lowercased().contains("connection: close"))
                #expect(text.contains("Bad request: not a valid HTTP/1.1 request"))
                // In words, not llhttp's internals (`unknown (http_parser error)`).
                #expect(!text.contains("http_parser") && !text.contains("strict mode"), "\(text)")
                let bareLineFeed = try await rawExchange(
                    port: client.port!, "GET / HTTP/1.1\nHost: x\n\n", timeout: .seconds(60)
                ) { _ in false }
                #expect(bareLineFeed.hasPrefix("HTTP/1.1 400"))
                #expect(
                    !bareLineFeed.contains("http_parser") && !bareLineFeed.contains("strict mode"), "\(bareLineFeed)")
                let huge = try await rawExchange(
                    port: client.port!,
                    "GET / HTTP/1.1\r\nHost: localhost\r\nX-Pad: \(String(repeating: "p", count: 100 * 1024))\r\n\r\n"
                ) { _ in false }
                #expect(huge.hasPrefix("HTTP/1.1 431"))
                #expect(huge.contains("Request header fields too large"))
            }
        }
    }

    @Test func aTargetNotInOriginFormIs400WithTheCORSFields() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "GET http://elsewhere.test/x HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                ) { $0.contains("origin-form") }
                #expect(text.hasPrefix("HTTP/1.1 400"))
                #expect(text.lowercased().contains("access-control-allow-origin: \(Self.origin)"))
            }
        }
    }

    @Test func aTransferCodingOtherThanChunkedIs501() async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "POST /echo HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                        + "GET /echo/after HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                ) { $0.contains("GET /echo/after") }
                #expect(text.hasPrefix("HTTP/1.1 501"))
                #expect(text.contains("transfer coding \"gzip\""))
                #expect(text.lowercased().contains("access-control-allow-origin: \(Self.origin)"))
                #expect(text.contains("GET /echo/after"), "the connection goes on")
            }
        }
        #expect(await hits.hits == 1, "only the request after it reached the upstream")
    }

    @Test func trailerFieldsArePassedOnBothWays() async throws {
        // The answer's, from the test upstream.
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "GET /trailers HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\nTE: trailers\r\n\r\n"
                ) { $0.hasSuffix("\r\n\r\n") && $0.contains("0\r\n") }
                #expect(text.lowercased().contains("0\r\nx-checksum: abc\r\n\r\n"), "\(text)")
            }
        }
        // The request's, to an upstream that records what it receives.
        let upstream = try await RecordingUpstream()
        let policy = try CORSPolicy(CORSConfiguration(origins: [Self.origin]))
        let gateway = try Gateway(
            configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:\(upstream.port)", policy: policy),
            logger: quiet("gateway"))
        try await ServerUnderTest(gateway: gateway).test(.live) { client in
            let text = try await rawExchange(
                port: client.port!,
                "POST /x HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\nX-Sum: 5\r\n\r\n"
            ) { $0.contains("recorded") }
            #expect(text.hasPrefix("HTTP/1.1 200"))
        }
        #expect(upstream.received.withLockedValue { $0 }.lowercased().contains("0\r\nx-sum: 5\r\n\r\n"))
        try await upstream.close()
    }

    @Test func expectContinueIsAnsweredAndTheChunkedUploadForwarded() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let text = try await rawExchange(
                    port: client.port!,
                    "POST /echo HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\nExpect: 100-continue\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                ) { $0.contains("body-bytes:") }
                #expect(text.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"))
                #expect(text.contains("body-bytes: 11"))
                #expect(!text.lowercased().contains("expect: 100-continue"), "Expect is not forwarded")
            }
        }
    }

    /// Sockets on local port `port` in CLOSE-WAIT (the peer closed, we did not), from
    /// /proc/net/tcp: counting only the gateway's own port keeps other tests' sockets out.
    static func closeWaitSockets(onPort port: Int) throws -> Int {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let localSuffix = ":" + String(format: "%04X", port)
        return table.split(separator: "\n").dropFirst().filter { line in
            let columns = line.split(separator: " ")
            return columns.count > 3 && columns[1].hasSuffix(localSuffix) && columns[3] == "08"
        }.count
    }

    @Test func connectionsTheClientClosedAreClosedHereToo() async throws {
        guard FileManager.default.fileExists(atPath: "/proc/net/tcp") else { return }
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let request = "GET /echo HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n"
                for _ in 0..<20 {
                    _ = try await rawExchange(port: client.port!, request) { $0.contains("body-bytes") }
                }
                // Each client closed after its answer: none of the gateway's sockets may stay in CLOSE-WAIT
                // once the gateway saw the closes (checked until it has, with a backstop, not after a sleep).
                let deadline = ContinuousClock.now + .seconds(30)
                while try Self.closeWaitSockets(onPort: client.port!) > 0, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(try Self.closeWaitSockets(onPort: client.port!) == 0)
            }
        }
    }

    @Test func aSilentClientConnectionIsClosedAfterTheIdleLimit() async throws {
        try await withUpstream { upstreamPort in
            let policy = try CORSPolicy(CORSConfiguration(origins: [Self.origin]))
            var configuration = try GatewayConfiguration(upstream: "http://127.0.0.1:\(upstreamPort)", policy: policy)
            configuration.clientIdleTimeout = .milliseconds(300)
            let gateway = try Gateway(configuration: configuration, logger: quiet("gateway"))
            try await ServerUnderTest(gateway: gateway).test(.live) { client in
                // Half a request head, then nothing.
                let (text, closed) = try await rawExchangeToClose(port: client.port!, "GET /echo HTTP/1.1\r\nHost: loc")
                #expect(text.isEmpty)
                #expect(closed, "closed after the 300 ms limit, not by the backstop")
            }
        }
    }

    @Test func httpOneZeroClientsGetFramedAnswers() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let keepAlive = try await rawExchange(
                    port: client.port!,
                    "GET /bytes/5 HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"
                ) { $0.hasSuffix("xxxxx") }
                #expect(keepAlive.hasPrefix("HTTP/1.0 200"))
                #expect(keepAlive.lowercased().contains("connection: keep-alive"))
                // No length to tell the end by: the end of the connection tells it.
                let (streamed, closed) = try await rawExchangeToClose(
                    port: client.port!, "GET /stream HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n")
                #expect(streamed.hasPrefix("HTTP/1.0 200"))
                #expect(streamed.lowercased().contains("connection: close"))
                #expect(streamed.hasSuffix("hello"))
                #expect(closed, "the gateway closed it, not the backstop")
            }
        }
    }

    @Test func slowClientsAndSlowUploadsAreNotUpstreamTimeouts() async throws {
        try await withUpstream { upstreamPort in
            // The upstream answers in milliseconds; the read timeout leaves it seconds even on a
            // loaded machine (a 1 s limit failed while other builds ran). What is tested is that the
            // client's and the upload's pauses, longer than the limit, are not counted.
            let readTimeout = 4
            try await GatewayTests.gateway(port: upstreamPort, readTimeout: .seconds(Int64(readTimeout))).test(.live) {
                client in
                // A client that has the answer's head, then reads nothing for longer than the read timeout.
                let big = 8 << 20
                let download = try await RawClient.connect(port: client.port!)
                try await download.send("GET /bytes/\(big) HTTP/1.1\r\nHost: localhost\r\n\r\n")
                let head = await download.wait(for: "\r\n\r\n")
                #expect(head.text.hasPrefix("HTTP/1.1 200"), "\(head.text.prefix(300))")
                try await download.setReading(false)
                try await Task.sleep(for: .seconds(readTimeout + 1))
                try await download.setReading(true)
                let seen = await download.wait { $0.byteCount > big || $0.closed }
                #expect(seen.byteCount > big)
                await download.close()
                // An upload that takes longer than the read timeout, a part every sixth of it.
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: client.port!).get()
                let received = NIOLockedValueBox("")
                let done = channel.eventLoop.makePromise(of: Void.self)
                try await channel.pipeline.addHandler(
                    Collector(received: received, done: { $0.contains("body-bytes:") }, finished: done)
                ).get()
                try await channel.writeAndFlush(
                    ByteBuffer(string: "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"))
                for _ in 0..<8 {
                    try await Task.sleep(for: .milliseconds(readTimeout * 1000 / 6))
                    try await channel.writeAndFlush(ByteBuffer(string: "1\r\na\r\n"))
                }
                try await channel.writeAndFlush(ByteBuffer(string: "0\r\n\r\n"))
                // A backstop against a hang only: the answer normally comes at once.
                let timeout = channel.eventLoop.scheduleTask(in: .seconds(60)) { done.succeed() }
                try await done.futureResult.get()
                timeout.cancel()
                try? await channel.close()
                let text = received.withLockedValue { $0 }
                #expect(text.hasPrefix("HTTP/1.1 200"))
                #expect(text.contains("body-bytes: 8"))
            }
        }
    }

    enum Forwarder: String, CaseIterable, Sendable { case gateway, proxy }

    /// An upstream that accepts connections and never reads a byte of them.
    static func blackHole() async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.so_rcvbuf), value: 4096)
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// Reported by a black-box pass: a chunked upload to an upstream that stops reading it got no
    /// answer. The upstream's read timeout covers the stalled upload: 504, with CORS headers.
    @Test(arguments: Forwarder.allCases)
    func anUploadTheUpstreamStopsTakingGets504(_ forwarder: Forwarder) async throws {
        let upstream = try await Self.blackHole()
        let port = upstream.localAddress!.port!
        let server: ServerUnderTest =
            switch forwarder {
            case .gateway: try GatewayTests.gateway(port: port, readTimeout: .seconds(1))
            case .proxy: makeProxy(upstreams: loopbackOnlyUpstreams(readTimeout: .seconds(1)))
            }
        let target = forwarder == .gateway ? "/upload" : "/http://upstream.test:\(port)/upload"
        try await server.test(.live) { client in
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: client.port!).get()
            let received = NIOLockedValueBox("")
            let done = channel.eventLoop.makePromise(of: Void.self)
            try await channel.pipeline.addHandler(
                Collector(received: received, done: { $0.contains("\r\n\r\n") }, finished: done)
            ).get()
            channel.write(
                ByteBuffer(
                    string: "POST \(target) HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n"),
                promise: nil)
            // More than every buffer on the way holds; written without waiting, as a client does.
            let chunk = ByteBuffer(string: "4000\r\n" + String(repeating: "x", count: 0x4000) + "\r\n")
            for _ in 0..<1024 { channel.write(chunk, promise: nil) }
            channel.flush()
            // A backstop against a hang only: the answer comes a read timeout (1 s) after the stall.
            let backstop = channel.eventLoop.scheduleTask(in: .seconds(60)) { done.succeed() }
            try await done.futureResult.get()
            backstop.cancel()
            try? await channel.close()
            let text = received.withLockedValue { $0 }
            #expect(text.hasPrefix("HTTP/1.1 504"), "\(text)")
            #expect(text.contains("Access-Control-Allow-Origin"), "\(text)")
        }
        try await upstream.close()
    }

    /// Found by a black-box pass: CONNECT got a 400 without length or body and the connection stayed
    /// open (NIO reads nothing after a CONNECT). Now 405 with `Allow`, and the server closes.
    @Test(arguments: Forwarder.allCases)
    func connectIsRefusedAndTheConnectionClosed(_ forwarder: Forwarder) async throws {
        try await withUpstream { upstreamPort in
            let server: ServerUnderTest =
                switch forwarder {
                case .gateway: try GatewayTests.gateway(port: upstreamPort)
                case .proxy: makeProxy()
                }
            try await server.test(.live) { client in
                let (text, closed) = try await rawExchangeToClose(
                    port: client.port!, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
                #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), "\(text)")
                #expect(text.contains("Allow: GET"), "\(text)")
                #expect(text.lowercased().contains("connection: close"), "\(text)")
                #expect(closed, "closed by the server, not the backstop")
            }
        }
    }

    @Test func headAndConnectionClose() async throws {
        try await withUpstream { upstreamPort in
            try await GatewayTests.gateway(port: upstreamPort).test(.live) { client in
                let head = try await rawExchange(
                    port: client.port!,
                    "HEAD /bytes/100 HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\nConnection: close\r\n\r\n"
                ) { _ in false }
                #expect(head.hasPrefix("HTTP/1.1 200"))
                #expect(head.lowercased().contains("connection: close"))
                // No body after the head, and the gateway closed the connection (rawExchange returned).
                #expect(head.hasSuffix("\r\n\r\n"))
            }
        }
    }

    @Test(arguments: [false, true])
    func aDroppedKeepAliveConnectionIsRetriedOnce(reset: Bool) async throws {
        let upstream = try await OneShotUpstream(reset: reset)
        let policy = try CORSPolicy(CORSConfiguration(origins: [Self.origin]))
        let gateway = try Gateway(
            configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:\(upstream.port)", policy: policy),
            logger: quiet("gateway"))
        try await ServerUnderTest(gateway: gateway).test(.live) { client in
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/x", method: .get, headers: [.origin: Self.origin])
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok")
            }
        }
        #expect(upstream.requests.withLockedValue { $0 } == 3)
        try await upstream.close()
    }

    @Test func aSilentUpstreamOnAReusedConnectionIs504() async throws {
        try await withUpstream { upstreamPort in
            // The warm-up must not time out on a busy machine: 2.5 s against an answer in milliseconds.
            // /slow sleeps 3 s, which never takes less: its 504 does not depend on the machine's speed.
            try await GatewayTests.gateway(port: upstreamPort, readTimeout: .milliseconds(2500)).test(.live) { client in
                let warm = try await client.execute(uri: "/echo", method: .get, headers: [.origin: Self.origin])
                #expect(warm.status == .ok)
                let slow = try await client.execute(uri: "/slow", method: .get, headers: [.origin: Self.origin])
                #expect(slow.status == .gatewayTimeout)
                #expect(slow.headers[.accessControlAllowOrigin] == Self.origin)
            }
        }
    }

    @Test func gracefulShutdownFinishesTheRequestInFlight() async throws {
        let hits = HitCounter()
        try await withUpstream(hits: hits) { upstreamPort in
            let policy = try CORSPolicy(CORSConfiguration(origins: [Self.origin]))
            let gateway = try Gateway(
                configuration: try GatewayConfiguration(upstream: "http://127.0.0.1:\(upstreamPort)", policy: policy),
                logger: quiet("gateway"))
            let port = NIOLockedValueBox(0)
            let running = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
            let app = gateway.makeApplication(
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    port.withLockedValue { $0 = channel.localAddress!.port! }
                    running.succeed()
                })
            let group = ServiceGroup(services: [app], logger: quiet("group"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await running.futureResult.get()
                let answer = Task {
                    try await rawExchange(
                        port: port.withLockedValue { $0 },
                        "GET /slow HTTP/1.1\r\nHost: localhost\r\nOrigin: \(Self.origin)\r\n\r\n",
                        timeout: .seconds(10)
                    ) { $0.contains("late") }
                }
                // Shut down once the request is in flight: the upstream has it (and answers 3 s later).
                while await hits.hits == 0 { try await Task.sleep(for: .milliseconds(20)) }
                await group.triggerGracefulShutdown()
                let text = try await answer.value
                #expect(text.hasPrefix("HTTP/1.1 200"))
                #expect(text.hasSuffix("late"))
                try await tasks.waitForAll()
            }
            await gateway.shutdown()
        }
    }
}
