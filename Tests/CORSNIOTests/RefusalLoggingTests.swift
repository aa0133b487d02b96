import CORS
import CORSNIO
import Logging
import NIOConcurrencyHelpers
import NIOEmbedded
import NIOHTTP1
import Testing

/// Records what is logged, for tests.
struct RecordingLogHandler: LogHandler {
    let records: NIOLockedValueBox<[(message: String, metadata: Logger.Metadata)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.withLockedValue { $0.append((event.message.description, event.metadata ?? [:])) }
    }
}

/// The NIO adapter logs each refusal the way the Hummingbird and Vapor adapters do
/// (`CORSRejection.log(to:)`): `CORS refused` with the reason.
@Suite struct RefusalLoggingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method: HTTPMethod
        var headers: [(String, String)]
        var reason: String?
        var testDescription: String { name }
    }

    static let cases = [
        Case(
            name: "refused actual request", method: .GET, headers: [("Origin", "https://evil.com")],
            reason: "originNotAllowed"),
        Case(
            name: "refused preflight", method: .OPTIONS,
            headers: [("Origin", "https://evil.com"), ("Access-Control-Request-Method", "PUT")],
            reason: "originNotAllowed"),
        Case(
            name: "WebSocket upgrade from null", method: .GET, headers: webSocketHeaders(origin: "null"),
            reason: "nullOriginNotAllowed"),
        Case(name: "allowed request", method: .GET, headers: [("Origin", "https://a.com")], reason: nil),
        Case(name: "not CORS", method: .GET, headers: [], reason: nil),
    ]

    @Test(arguments: cases)
    func eachRefusalIsLoggedOnce(_ testCase: Case) throws {
        let records = NIOLockedValueBox<[(message: String, metadata: Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        let channel = EmbeddedChannel(handler: CORSNIOChannelHandler(peersPolicy, logger: logger))
        defer { _ = try? channel.finish() }
        try channel.send(request(testCase.method, "/x", testCase.headers))
        let logged = records.withLockedValue { $0 }
        if let reason = testCase.reason {
            #expect(logged.count == 1)
            #expect(logged.first?.message == "CORS refused")
            let loggedReason = logged.first?.metadata["cors.reason"].map { "\($0)" } ?? ""
            #expect(loggedReason == reason)
        } else {
            #expect(logged.isEmpty)
        }
    }
}
