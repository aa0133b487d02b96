import ArgumentParser
import CORS
import CORSPolicyFile
import Foundation
import Logging
import ServiceLifecycle

extension CORSTool {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the echo API behind a CORS policy.",
            discussion: """
                Any method and path answers 200 with a JSON description of the request; `?status=N` sets \
                the status and `?set=Name:Value` (repeatable) adds a response header. Without --policy, a \
                development default allows any http://localhost:* and http://127.0.0.1:* origin. `/ws` \
                accepts WebSocket upgrades (echoing each message) from origins the policy allows and from \
                non-browser clients (no Origin); other origins get 403. --adapter picks the server \
                framework; every adapter serves the same thing.
                """
        )

        @Option(
            help:
                "Policy file (JSON or YAML), reloaded on SIGHUP and when it changes. Default: the development policy."
        )
        var policy: String?

        @Option(
            help: ArgumentHelp(
                "With --policy: how often to check the file for changes, in seconds (SIGHUP checks at once).",
                valueName: "seconds"))
        var policyPollInterval: Double = 2

        @Option(
            help:
                "Reverse-proxy to this upstream (http://host:port) instead of the echo API; the policy replaces its CORS headers."
        )
        var upstream: String?

        @Option(
            help:
                "With an https --upstream: PEM file of the certificates to trust for it (default: the system's roots)."
        )
        var upstreamCA: String?

        @Flag(
            help:
                "With --upstream: pass on the X-Forwarded-Proto/Host clients send (only behind a proxy that sets them)."
        )
        var trustForwarded = false

        @Flag(
            help:
                "With --upstream: pass on request fields whose names have '_' (dropped by default, as nginx does)."
        )
        var keepUnderscoreHeaders = false

        @Option(help: "Address to bind.")
        var host = "127.0.0.1"

        @Option(parsing: .unconditional, help: "Port to bind; 0 picks a free one (printed).")
        var port = 8080

        @Option(
            parsing: .unconditional,
            help:
                "With --upstream: serve Prometheus metrics at http://HOST:PORT/metrics (0 picks a free port, printed)."
        )
        var metricsPort: Int?

        @Option(help: "Server framework of the echo API: hummingbird (default), vapor or nio.")
        var adapter: Adapter?

        @OptionGroup var eventLoops: ThreadsOption

        @OptionGroup var limits: ConnectionLimitsOption

        @OptionGroup var tunnels: TunnelOption

        @Option(help: "Log level: trace, debug (shows every CORS refusal), info, notice, warning, error, critical.")
        var logLevel = "info"

        func validate() throws {
            guard policyPollInterval.isFinite, policyPollInterval >= 0.01, policyPollInterval <= 86_400 else {
                throw ValidationError(
                    "--policy-poll-interval must be a number of seconds from 0.01 to 86400, not \(policyPollInterval)")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            if let upstreamCA {
                guard let upstream, upstream.lowercased().hasPrefix("https://") else {
                    throw ValidationError("--upstream-ca is for an https:// --upstream")
                }
                guard FileManager.default.isReadableFile(atPath: upstreamCA) else {
                    throw ValidationError("--upstream-ca \(upstreamCA): no readable file there")
                }
            }
            if keepUnderscoreHeaders, upstream == nil {
                throw ValidationError(
                    "--keep-underscore-headers is about what the gateway forwards: it needs --upstream")
            }
            try tunnels.validate(hasUpstream: upstream != nil)
            if trustForwarded, upstream == nil {
                throw ValidationError(
                    "--trust-forwarded is about the gateway's X-Forwarded-* fields: it needs --upstream")
            }
            if metricsPort != nil, upstream == nil {
                throw ValidationError("--metrics-port counts the gateway's requests: it needs --upstream")
            }
            if let metricsPort { try StartupChecks.port(metricsPort, flag: "--metrics-port") }
            try StartupChecks.port(port, flag: "--port")
            try StartupChecks.distinct(port: port, metricsPort: metricsPort)
            try StartupChecks.host(host)
            if adapter != nil, upstream != nil {
                throw ValidationError(
                    "--adapter picks the echo API's framework; the gateway (--upstream) has its own: drop --adapter")
            }
        }

        func run() async throws {
            eventLoops.apply()
            var logger = Logger(label: "cors.serve")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            // Until the reloader traps it, a SIGHUP (a reload asked too early) must not end the server.
            if policy != nil { signal(SIGHUP, SIG_IGN) }
            // The digest is of a read before the policy's own: were the file edited in between, the
            // reloader sees a version other than the one named and puts the file's policy in force again.
            let startupDigest = policy.flatMap { FileManager.default.contents(atPath: $0) }.map {
                PolicyDigest(of: $0)
            }
            let holder = CORSPolicyHolder(try loadPolicy())
            var services: [any Service] = []
            if let policy, let startupDigest {
                logger.notice("policy in force: \(policy), version 1 (\(startupDigest))")
                if #available(macOS 15, *) {
                    services.append(
                        PolicyReloader(
                            path: policy, holder: holder, pollInterval: .seconds(policyPollInterval), logger: logger,
                            startupDigest: startupDigest))
                } else {
                    logger.warning("policy reloading needs macOS 15: \(policy) is read once")
                }
            } else {
                logger.notice("policy in force: the development policy")
            }
            try await StartupChecks.bindable(host: host, port: port, flag: "--port")
            if let metricsPort {
                try await StartupChecks.bindable(host: host, port: metricsPort, flag: "--metrics-port")
            }
            if let upstream {
                return try await GatewayServe.run(
                    upstream: upstream, upstreamCA: upstreamCA, trustForwarded: trustForwarded,
                    keepUnderscoreHeaders: keepUnderscoreHeaders, policy: holder,
                    host: host, port: port, limits: limits, tunnels: tunnels,
                    metricsPort: metricsPort, services: services, logger: logger)
            }
            let server = ServerSettings(
                host: host, port: port, limits: limits, policy: holder, services: services, logger: logger)
            switch adapter ?? .hummingbird {
            case .hummingbird: try await ServeHummingbird.run(server)
            case .vapor:
                PolicySource.printToStandardError(
                    "warning: --adapter vapor: Vapor's server takes no pipeline handlers, so it has no header"
                        + " timeout (--header-timeout) and no connection cap (--max-connections)")
                try await ServeVapor.run(server)
            case .nio: try await ServeNIO.run(server)
            }
        }

        private func loadPolicy() throws -> CORSPolicy {
            let configuration: CORSConfiguration
            do {
                configuration = try PolicySource.configuration(from: policy)
            } catch {
                switch error {
                case .unreadable(let message):
                    PolicySource.printToStandardError("error: \(message)")
                case .invalid(let problems):
                    PolicySource.printToStandardError("error: invalid policy \(policy ?? ""):")
                    for problem in problems { PolicySource.printToStandardError("  \(problem)") }
                }
                throw ExitCode(2)
            }
            if policy == nil {
                PolicySource.printToStandardError("using the development policy:\n\(PolicyFile.render(configuration))")
            }
            do {
                let built = try CORSPolicy(configuration)
                for warning in built.warnings { PolicySource.printToStandardError("warning: \(warning)") }
                return built
            } catch {
                PolicySource.printToStandardError("error: invalid policy \(policy ?? ""):")
                for problem in error.problems { PolicySource.printToStandardError("  \(problem)") }
                throw ExitCode(2)
            }
        }

    }
}

extension CORSTool.Serve {
    enum Adapter: String, ExpressibleByArgument, CaseIterable {
        case hummingbird, vapor, nio
    }
}

/// What every adapter's server needs.
struct ServerSettings: Sendable {
    var host: String
    var port: Int
    var limits: ConnectionLimitsOption
    /// The policy in force, replaced by the reloader when the policy file changes.
    var policy: CORSPolicyHolder
    /// What runs as long as the server: the policy reloader.
    var services: [any Service]
    var logger: Logger

    /// Runs ``services`` until the returned task is cancelled, for servers that don't run a
    /// `ServiceGroup` (Vapor, plain NIO).
    func runServicesInBackground() -> Task<Void, Never> {
        let services = self.services
        let logger = self.logger
        return Task {
            await withDiscardingTaskGroup { group in
                for service in services {
                    group.addTask {
                        do { try await service.run() } catch { logger.error("\(service): \(error)") }
                    }
                }
            }
        }
    }

    /// Prints `listening on http://HOST:PORT`, unbuffered: scripts and tests wait for this line on a pipe.
    func announce(port boundPort: Int) {
        let shown = host.contains(":") ? "[\(host)]" : host
        FileHandle.standardOutput.write(Data("listening on http://\(shown):\(boundPort)\n".utf8))
    }
}

/// Waits for SIGTERM or SIGINT (for servers that don't handle signals themselves).
enum TerminationSignal {
    private final class Sources: @unchecked Sendable {
        // Written once before any signal can fire, then only kept alive.
        var sources: [any DispatchSourceSignal] = []
    }

    static func wait() async {
        let holder = Sources()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumed = ResumeOnce(continuation)
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { resumed.resume() }
                source.resume()
                holder.sources.append(source)
            }
        }
        for source in holder.sources { source.cancel() }
    }

    private final class ResumeOnce: @unchecked Sendable {
        // Guarded by `lock`.
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Void, Never>?

        init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }

        func resume() {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume()
        }
    }
}
