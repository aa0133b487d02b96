import ArgumentParser
import CORS
import CORSProxy
import Foundation
import Hummingbird
import Logging
import NIOCore

extension CORSTool {
    struct Proxy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an open CORS proxy (cors-anywhere style), safe by default.",
            discussion: """
                GET /https://api.example.com/data fetches that URL and answers with CORS headers any page \
                can read. Requests need Origin or X-Requested-With. Targets on loopback, private, link-local \
                and other non-public addresses are refused (IP literals in every encoding, and every address \
                a name resolves to); the connection goes to the address that was checked. Cookies are never \
                forwarded or returned.
                """
        )

        @Option(help: "Address to bind.")
        var host = "127.0.0.1"

        @Option(parsing: .unconditional, help: "Port to bind; 0 picks a free one (printed).")
        var port = 8080

        @Option(name: .customLong("allow-origin"), help: "Only these origins may use the proxy (repeatable).")
        var allowOrigins: [String] = []

        @Option(name: .customLong("deny-origin"), help: "These origins may not use the proxy (repeatable).")
        var denyOrigins: [String] = []

        @Flag(help: "Allow loopback, private and link-local targets. For local development only.")
        var allowPrivate = false

        @Flag(help: "Pass on request fields whose names have '_' (dropped by default, as nginx does).")
        var keepUnderscoreHeaders = false

        @Option(name: .customLong("allow-target"), help: "Only these target hosts may be fetched (repeatable).")
        var allowTargets: [String] = []

        @Option(
            help:
                "Requests per origin and per client address: N/s, N/min or N/h; a bare N is per minute (off by default)."
        )
        var rateLimit: String?

        @Option(parsing: .unconditional, help: "Largest request and response body, in bytes.")
        var maxBody = 10 * 1024 * 1024

        @Option(parsing: .unconditional, help: "Largest total size of the request's header fields, in bytes.")
        var maxHeaderBytes = 64 * 1024

        @Option(
            parsing: .unconditional, help: "Redirects (301/302/303) followed before the last one is handed to the page."
        )
        var maxRedirects = 5

        @Option(parsing: .unconditional, help: "Seconds allowed for the whole upstream exchange.")
        var timeout: Double = 30

        @Option(
            parsing: .unconditional,
            help: "Serve Prometheus metrics at http://HOST:PORT/metrics (0 picks a free port, printed).")
        var metricsPort: Int?

        @OptionGroup var eventLoops: ThreadsOption

        @OptionGroup var limits: ConnectionLimitsOption

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel = "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
            if let metricsPort { try StartupChecks.port(metricsPort, flag: "--metrics-port") }
            try StartupChecks.port(port, flag: "--port")
            try StartupChecks.distinct(port: port, metricsPort: metricsPort)
            try StartupChecks.host(host)
            if let rateLimit, RateLimit(parsing: rateLimit) == nil {
                throw ValidationError("--rate-limit must look like 60/min, 5/s or 1000/h")
            }
            guard maxBody > 0 else {
                throw ValidationError("--max-body must be a positive number of bytes, not \(maxBody)")
            }
            guard maxHeaderBytes > 0 else {
                throw ValidationError("--max-header-bytes must be a positive number of bytes, not \(maxHeaderBytes)")
            }
            guard maxRedirects >= 0 else {
                throw ValidationError("--max-redirects must be 0 or more, not \(maxRedirects)")
            }
            // Past a day it is no limit, and the deadlines it makes overflow a clock's range.
            guard timeout >= 0.001, timeout <= 86_400 else {
                throw ValidationError("--timeout must be a number of seconds from 0.001 to 86400 (a day)")
            }
            for (flag, origins) in [("--allow-origin", allowOrigins), ("--deny-origin", denyOrigins)] {
                for origin in origins where origin != "null" {
                    if let problem = CORSConfigurationProblem.origin(origin, field: flag) {
                        throw ValidationError("\(problem.field): \(problem.problem) — \(problem.fix)")
                    }
                }
            }
            for target in allowTargets where !SSRFGuard.isTargetHost(target) {
                throw ValidationError(
                    "--allow-target \(target.isEmpty ? "''" : target) is not a host: give a name or address alone"
                        + " (api.example.com, 203.0.113.7, ::1), without scheme, port or path")
            }
        }

        func run() async throws {
            eventLoops.apply()
            try await StartupChecks.bindable(host: host, port: port, flag: "--port")
            if let metricsPort {
                try await StartupChecks.bindable(host: host, port: metricsPort, flag: "--metrics-port")
            }
            var logger = Logger(label: "cors.proxy")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            if allowPrivate {
                FileHandle.standardError.write(
                    Data(
                        ("warning: --allow-private: this proxy will fetch loopback, private and link-local addresses "
                            + "(including cloud metadata). Use it for local development only, never exposed.\n").utf8))
            }
            let metrics = MetricsOption.service(host: host, port: metricsPort, logger: logger)
            var configuration = OpenProxyConfiguration(
                targetGuard: SSRFGuard(allowPrivate: allowPrivate, allowedTargets: Set(allowTargets)),
                allowedOrigins: Set(allowOrigins),
                deniedOrigins: Set(denyOrigins),
                rateLimit: rateLimit.flatMap(RateLimit.init(parsing:)),
                maxBodyBytes: maxBody,
                maxHeaderBytes: maxHeaderBytes,
                maxRedirects: maxRedirects,
                timeout: .milliseconds(Int64(timeout * 1000))
            )
            configuration.headerTimeout = limits.headerTimeoutAmount
            configuration.keepsUnderscoreHeaders = keepUnderscoreHeaders
            var connections = UpstreamPool.Configuration()
            connections.connectTimeout = .milliseconds(Int64(min(timeout, 10) * 1000))
            connections.readTimeout = .milliseconds(Int64(timeout * 1000))
            let upstreams = try ProxyUpstreams(connections: connections)
            let proxy = OpenProxy(configuration: configuration, upstreams: upstreams, logger: logger)
            let host = self.host
            let app = proxy.makeApplication(
                configuration: .init(
                    address: .hostname(host, port: port), serverName: nil,
                    availableConnectionsDelegate: limits.connectionCap),
                onServerRunning: { channel in
                    let boundPort = channel.localAddress?.port ?? 0
                    let shown = host.contains(":") ? "[\(host)]" : host
                    // Written unbuffered: scripts and tests wait for this line on a pipe.
                    FileHandle.standardOutput.write(Data("listening on http://\(shown):\(boundPort)\n".utf8))
                })
            do {
                // In-flight requests may take up to --timeout to finish after SIGTERM.
                try await app.runUntilSignalled(alongside: metrics, grace: timeout + 1, logger: logger)
            } catch {
                await proxy.shutdown()
                throw error
            }
            await proxy.shutdown()
        }
    }
}
