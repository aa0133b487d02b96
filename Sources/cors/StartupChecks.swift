import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// Checks of the addresses a server command binds, so that a mistake is a sentence naming the
/// flag, not a socket error after `listening on` was printed.
enum StartupChecks {
    /// `--port` and the like: 0 to 65535 (ArgumentParser takes any Int; the socket layer would
    /// silently keep the low 16 bits).
    static func port(_ port: Int, flag: String) throws {
        guard (0...65535).contains(port) else {
            throw ValidationError("\(flag) must be a port number, 0 to 65535 (0 picks a free one)")
        }
    }

    /// The metrics endpoint needs a port of its own (0 for both picks two free ones).
    static func distinct(port: Int, metricsPort: Int?) throws {
        if let metricsPort, metricsPort != 0, metricsPort == port {
            throw ValidationError(
                "--metrics-port \(metricsPort) is also --port: the metrics endpoint needs another port")
        }
    }

    /// `--host`: an address of this machine or a name it resolves, written without brackets.
    static func host(_ host: String) throws {
        if host.hasPrefix("[") {
            throw ValidationError("--host takes an address without brackets, e.g. ::1")
        }
        guard (try? SocketAddress.makeAddressResolvingHost(host, port: 0)) != nil else {
            throw ValidationError("--host \(host) is not an address (127.0.0.1, ::1, 0.0.0.0) nor a name that resolves")
        }
    }

    /// Exits with a message naming `flag` when `host:port` can't be bound (in use, not this
    /// machine's address); port 0 always can. Checked before any server starts, so `listening on`
    /// is never printed by a process about to fail.
    static func bindable(host: String, port: Int, flag: String) async throws {
        guard port != 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch {
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            FileHandle.standardError.write(Data("error: \(flag) \(port): cannot listen on \(shown): \(reason)\n".utf8))
            throw ExitCode.failure
        }
    }
}
