import Foundation
import NIOCore
import NIOPosix

/// Runs the built `cors` executable: a short command to completion, or a server in the background
/// until it prints `listening on http://HOST:PORT`.
///
/// Every wait happens on a thread of its own, never on Swift's cooperative pool: that pool has as
/// many threads as cores (two here), and a child often talks to a server in this very process
/// whose handlers need the pool. A test blocking the pool while it waits for such a child would
/// deadlock the whole suite. The child's output is read as it comes, so it never blocks on a
/// full pipe either.
final class CORSProcess: @unchecked Sendable {
    // Configured in `init` and only read afterwards; Process itself is thread-safe enough here.
    let process = Process()
    private let output: StreamCollector
    private let errors: StreamCollector
    private(set) var baseURL = ""

    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["CORS_BINARY"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/cors")
    }

    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `cors ARGUMENTS` to completion.
    static func run(_ arguments: [String]) async throws -> Outcome {
        let child = try CORSProcess(arguments)
        let status = await child.exitStatus()
        // The pipes end with the child; a backstop in case something it started still holds them.
        let (out, err) = await offThePool {
            let deadline = Date().addingTimeInterval(120)
            return (
                child.output.wait(until: deadline) { _ in false }, child.errors.wait(until: deadline) { _ in false }
            )
        }
        return Outcome(status: status, standardOutput: out, standardError: err)
    }

    /// Starts `cors serve ARGUMENTS --port 0` and waits for its `listening on` line.
    static func serve(_ arguments: [String]) async throws -> CORSProcess {
        try await listening(["serve", "--port", "0"] + arguments)
    }

    /// Starts `cors ARGUMENTS` (a server given `--port 0`) and waits for its `listening on` line.
    static func listening(_ arguments: [String]) async throws -> CORSProcess {
        let (child, lines) = try await start(arguments, waitingFor: ["listening on "])
        child.baseURL = lines[0]
        return child
    }

    /// Starts `cors ARGUMENTS` and waits until a line with each prefix was printed; returns the
    /// process and the rest of each such line, in the order of `prefixes`.
    static func start(_ arguments: [String], waitingFor prefixes: [String]) async throws -> (CORSProcess, [String]) {
        let child = try CORSProcess(arguments)
        @Sendable func found(_ text: String) -> [String] {
            let lines = text.split(separator: "\n")
            return prefixes.compactMap { prefix in
                lines.first(where: { $0.hasPrefix(prefix) }).map { String($0.dropFirst(prefix.count)) }
            }
        }
        // A backstop for a child that neither starts nor exits, not a measure of start-up time.
        let deadline = Date().addingTimeInterval(120)
        let text = await offThePool { child.output.wait(until: deadline) { found($0).count == prefixes.count } }
        let lines = found(text)
        if lines.count == prefixes.count { return (child, lines) }
        child.stop()
        let err = await offThePool { child.errors.wait(until: Date().addingTimeInterval(5)) { _ in false } }
        throw StartFailure(message: "cors \(arguments.joined(separator: " ")) did not start: \(err)")
    }

    struct StartFailure: Error { var message: String }

    private init(_ arguments: [String]) throws {
        process.executableURL = Self.executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        output = StreamCollector(out.fileHandleForReading)
        errors = StreamCollector(err.fileHandleForReading)
    }

    /// What the child has written to standard error so far.
    var standardError: String { errors.text }

    /// Waits until standard error holds `count` lines containing `text` (the child logs there),
    /// or the child ends; returns standard error so far. The deadline is a backstop for a child
    /// that never logs it, not a measure of how long it takes.
    @discardableResult
    func waitForStandardError(containing text: String, count: Int = 1) async -> String {
        let errors = self.errors
        return await offThePool {
            errors.wait(until: Date().addingTimeInterval(120)) { Self.lines(of: $0, containing: text) >= count }
        }
    }

    static func lines(of output: String, containing text: String) -> Int {
        output.split(separator: "\n").count { $0.contains(text) }
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// Waits for the child to exit and returns its status.
    func exitStatus() async -> Int32 {
        let process = self.process
        return await offThePool {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// SIGTERM now, SIGKILL if the child is still there 20 s later: a server that never stops must
    /// not outlive the suite. Returns at once; `exitStatus()` waits.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let process = self.process
        Thread {
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }.start()
    }

    deinit { stop() }
}

/// Runs blocking work on a thread of its own and awaits its result (see `CORSProcess`).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

/// Reads a child's pipe to its end on a thread of its own, so the child never blocks writing.
final class StreamCollector: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var data = Data()
    private var ended = false

    init(_ handle: FileHandle) {
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty { ended = true } else { data.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }.start()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Blocks until `predicate` holds of the text so far, the stream ends, or `deadline` passes
    /// (a real date: Foundation on Linux traps converting `.distantFuture` to a timespec).
    func wait(until deadline: Date, for predicate: (String) -> Bool) -> String {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if ended || predicate(text) { return text }
            if !condition.wait(until: deadline) { return String(decoding: data, as: UTF8.self) }
        }
    }
}

/// A temporary policy file, removed when dropped.
struct PolicyFileFixture {
    let path: String

    init(_ contents: String, extension fileExtension: String = "json") throws {
        path = NSTemporaryDirectory() + "cors-policy-\(UUID().uuidString).\(fileExtension)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A plain TCP connection to a local server, for exchanges HTTP clients won't make (pipelining,
/// CONNECT, bytes that are not HTTP).
func rawConnection(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
    try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
}
