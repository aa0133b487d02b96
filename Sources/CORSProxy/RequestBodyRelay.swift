import AsyncHTTPClient
import NIOCore

/// Carries one request body from the client's connection to AsyncHTTPClient's stream writer.
///
/// Parts that arrive before the upstream connection asks for the body wait here; `bufferedBytes`
/// (waiting plus written but not yet sent) tells the connection when to stop reading, and
/// `onDrain` when to read again, so a large upload is never held whole.
///
/// Lives on the client connection's event loop, which is also the upstream connection's
/// (`.delegateAndChannel(on:)`); every method asserts it.
final class RequestBodyRelay: @unchecked Sendable {
    static let highWatermark = 256 * 1024
    static let lowWatermark = 64 * 1024

    private let eventLoop: any EventLoop
    private var writer: HTTPClient.Body.StreamWriter?
    private var waiting = CircularBuffer<ByteBuffer>()
    private let done: EventLoopPromise<Void>
    private var lastWrite: EventLoopFuture<Void>?
    private var ended = false
    private var failed = false
    private var settled = false
    private(set) var bufferedBytes = 0
    /// Called when `bufferedBytes` fell below the low watermark.
    var onDrain: () -> Void = {}

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.done = eventLoop.makePromise()
    }

    var isAboveHighWatermark: Bool { bufferedBytes > Self.highWatermark }

    /// The body for the upstream request: AsyncHTTPClient calls the closure once it sends the body.
    func body(contentLength: Int64?) -> HTTPClient.Body {
        .stream(contentLength: contentLength) { writer in
            self.eventLoop.flatSubmit { self.attach(writer) }
        }
    }

    func append(_ buffer: ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard !failed else { return }
        bufferedBytes += buffer.readableBytes
        if writer != nil {
            write(buffer)
        } else {
            waiting.append(buffer)
        }
    }

    /// The client sent the whole body.
    func finish() {
        eventLoop.assertInEventLoop()
        ended = true
        completeIfDone()
    }

    /// The client went away, or the exchange ended without the body: the upstream request fails.
    func fail(_ error: any Error) {
        eventLoop.assertInEventLoop()
        guard !failed else { return }
        failed = true
        waiting.removeAll()
        bufferedBytes = 0
        settle(.failure(error))
    }

    /// Completes the body stream's future exactly once.
    private func settle(_ result: Result<Void, any Error>) {
        guard !settled else { return }
        settled = true
        done.completeWith(result)
    }

    private func attach(_ writer: HTTPClient.Body.StreamWriter) -> EventLoopFuture<Void> {
        self.writer = writer
        while let buffer = waiting.popFirst() { write(buffer) }
        completeIfDone()
        return done.futureResult
    }

    private func write(_ buffer: ByteBuffer) {
        let count = buffer.readableBytes
        let future = writer!.write(.byteBuffer(buffer))
        lastWrite = future
        future.whenComplete { result in
            guard !self.failed else { return }
            if case .failure(let error) = result {
                self.fail(error)
                return
            }
            let wasAbove = self.bufferedBytes >= Self.lowWatermark
            self.bufferedBytes -= count
            if wasAbove, self.bufferedBytes < Self.lowWatermark { self.onDrain() }
        }
    }

    private func completeIfDone() {
        guard ended, !failed, writer != nil else { return }
        if let lastWrite {
            lastWrite.whenComplete { self.settle($0) }
        } else {
            settle(.success(()))
        }
    }
}
