import Foundation
import NIOCore
import NIOPosix

/// Runs the built `cors` executable: a short command to completion, or `serve` in the background
/// until it prints `listening on http://HOST:PORT`.
final class CORSProcess: @unchecked Sendable {
    // Mutated only before `run()` returns and read afterwards; Process itself is thread-safe enough here.
    let process = Process()
    let output = Pipe()
    let errors = Pipe()
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
    static func run(_ arguments: [String]) throws -> Outcome {
        let child = CORSProcess(arguments)
        try child.process.run()
        let out = child.output.fileHandleForReading.readDataToEndOfFile()
        let err = child.errors.fileHandleForReading.readDataToEndOfFile()
        child.process.waitUntilExit()
        return Outcome(
            status: child.process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
            standardError: String(decoding: err, as: UTF8.self))
    }

    /// Starts `cors serve ARGUMENTS --port 0` and waits for its `listening on` line.
    static func serve(_ arguments: [String]) throws -> CORSProcess {
        let child = CORSProcess(["serve", "--port", "0"] + arguments)
        try child.process.run()
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = child.output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                child.baseURL = String(line.dropFirst("listening on ".count))
                return child
            }
        }
        child.stop()
        let err = String(decoding: child.errors.fileHandleForReading.availableData, as: UTF8.self)
        throw StartFailure(message: "cors serve did not start: \(err)")
    }

    struct StartFailure: Error { var message: String }

    private init(_ arguments: [String]) {
        process.executableURL = Self.executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
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
