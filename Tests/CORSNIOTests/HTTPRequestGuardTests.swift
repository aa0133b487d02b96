import CORSNIO
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

/// The request guard on an `EmbeddedChannel`: time is advanced by the test, so the header timeout
/// is shown without waiting for a clock.
@Suite struct HTTPRequestGuardTests {
    static let timeout = TimeAmount.seconds(30)

    /// NIO's server pipeline (without its error handler) and the guard, as `cors serve --adapter nio`
    /// has them.
    static func channel(maxHeaderFields: Int = 1000) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldCount = maxHeaderFields
        let operations = channel.pipeline.syncOperations
        try operations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withServerUpgrade: nil, withErrorHandling: false,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
        try operations.addHTTPRequestGuard(
            headerTimeout: timeout, parserErrorAnswer: .init(headerLimits: "up to \(maxHeaderFields) fields"))
        // An EmbeddedChannel is inactive until connected; a server's child channel is active.
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    static func answer(_ channel: EmbeddedChannel, _ status: HTTPResponseStatus = .ok) throws {
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: ["Content-Length": "0"])
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
    }

    @Test func aHeadNotInAtTheTimeoutGets408AndAClose() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n"))
        channel.embeddedEventLoop.advanceTime(by: Self.timeout - .milliseconds(1))
        #expect(try Self.written(channel).isEmpty)
        // More bytes do not restart the timer: it runs from the head's first byte.
        try channel.writeInbound(ByteBuffer(string: "X-Drip: 1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        let text = try Self.written(channel)
        #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "\(text)")
        #expect(text.lowercased().contains("connection: close"))
        #expect(!channel.isActive)
    }

    @Test func aKeptAliveConnectionIdleBetweenRequestsIsNotTimed() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        try Self.answer(channel)
        #expect(try Self.written(channel).hasPrefix("HTTP/1.1 200 OK"))
        channel.embeddedEventLoop.advanceTime(by: Self.timeout * 10)
        #expect(try Self.written(channel).isEmpty)
        #expect(channel.isActive)
        // The next request's first byte starts its own timer.
        try channel.writeInbound(ByteBuffer(string: "G"))
        channel.embeddedEventLoop.advanceTime(by: Self.timeout)
        #expect(try Self.written(channel).hasPrefix("HTTP/1.1 408"))
    }

    @Test func aHeadAfterALongIdleGetsItsWholeTimeout() throws {
        // Found by review: the clock started when the last answer ended, so a head that began
        // just before the timeout was cut off a moment later.
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"))
        while try channel.readInbound(as: HTTPServerRequestPart.self) != nil {}
        try Self.answer(channel)
        _ = try Self.written(channel)
        channel.embeddedEventLoop.advanceTime(by: Self.timeout - .milliseconds(1))
        try channel.writeInbound(ByteBuffer(string: "GET /b HTTP/1.1\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(try Self.written(channel).isEmpty)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: Self.timeout)
        #expect(try Self.written(channel).hasPrefix("HTTP/1.1 408"))
    }

    @Test func aBrokenPipelinedRequestIsAnsweredAfterTheOnesBeforeIt() throws {
        // Found by review: the 400 for a later request waited for answers it never counted.
        let channel = try Self.channel()
        _ = try? channel.writeInbound(
            ByteBuffer(string: "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n\u{1} x\r\n\r\n"))
        var heads = 0
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
            if case .head = part { heads += 1 }
        }
        #expect(heads == 2)
        try Self.answer(channel)
        #expect(channel.isActive)
        try Self.answer(channel)
        let text = try Self.written(channel)
        #expect(text.ranges(of: "HTTP/1.1 200 OK").count == 2, "\(text)")
        #expect(text.contains("HTTP/1.1 400 Bad Request"), "\(text)")
        #expect(!channel.isActive)
    }

    @Test func aBrokenBodyBehindAnotherRequestWaitsForItsAnswer() throws {
        // The newest request's body breaks while an earlier one is still being answered: that
        // answer is not cut; the 400 follows it.
        let channel = try Self.channel()
        _ = try? channel.writeInbound(
            ByteBuffer(
                string: "GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\n"))
        while try channel.readInbound(as: HTTPServerRequestPart.self) != nil {}
        #expect(channel.isActive)
        try Self.answer(channel)
        let text = try Self.written(channel)
        #expect(text.hasPrefix("HTTP/1.1 200 OK"), "\(text)")
        #expect(text.contains("HTTP/1.1 400 Bad Request"), "\(text)")
        #expect(!channel.isActive)
    }

    @Test func aRequestBeingAnsweredIsNotTimed() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(string: "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"))
        channel.embeddedEventLoop.advanceTime(by: Self.timeout * 3)
        #expect(try Self.written(channel).isEmpty)
        try Self.answer(channel)
        #expect(try Self.written(channel).hasPrefix("HTTP/1.1 200 OK"))
    }

    @Test func tooManyHeaderFieldsGet431AndAClose() throws {
        let channel = try Self.channel(maxHeaderFields: 10)
        let fields = (0..<20).map { "X-\($0): v\r\n" }.joined()
        _ = try? channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\(fields)\r\n"))
        let text = try Self.written(channel)
        #expect(text.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(text)")
        #expect(text.contains("up to 10 fields"))
        #expect(!channel.isActive)
    }

    @Test func bytesThatAreNotHTTPGet400InWords() throws {
        let channel = try Self.channel()
        _ = try? channel.writeInbound(ByteBuffer(string: "\u{1}\u{2} not http\r\n\r\n"))
        let text = try Self.written(channel)
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(text)")
        #expect(text.contains("not a valid HTTP/1.1 request: "))
        #expect(!channel.isActive)
    }

    @Test func afterA101EverythingPassesThroughUntouched() throws {
        let channel = try Self.channel()
        try channel.writeInbound(
            ByteBuffer(string: "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"))
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) != nil)
        let head = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: ["Upgrade": "websocket"])
        try channel.writeOutbound(HTTPServerResponsePart.head(head))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        #expect(try Self.written(channel).hasPrefix("HTTP/1.1 101"))
        // What an upgrader does: the HTTP codec leaves; frames then flow through the guard.
        let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        let removed = channel.pipeline.syncOperations.removeHandler(decoder)
        channel.embeddedEventLoop.run()  // the decoder leaves on a later loop tick
        try removed.wait()
        while try channel.readInbound(as: HTTPServerRequestPart.self) != nil {}
        try channel.writeInbound(ByteBuffer(string: "frame bytes"))
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "frame bytes")
        channel.embeddedEventLoop.advanceTime(by: Self.timeout * 10)
        #expect(channel.isActive)
    }
}
