import ArgumentParser
import CORS
import CORSProxy
import Foundation
import Hummingbird
import Logging
import NIOSSL
import ServiceLifecycle

/// `cors serve --upstream URL`: the policy in front of one upstream instead of the echo API.
enum GatewayServe {
    static func run(
        upstream: String, upstreamCA: String?, trustForwarded: Bool, keepUnderscoreHeaders: Bool,
        policy: CORSPolicyHolder, host: String, port: Int,
        limits: ConnectionLimitsOption, tunnels: TunnelOption, metricsPort: Int?, services: [any Service],
        logger: Logger
    ) async throws {
        let configuration: GatewayConfiguration
        do {
            var parsed = try GatewayConfiguration(upstream: upstream, policy: policy)
            parsed.trustsForwardedFields = trustForwarded
            parsed.keepsUnderscoreHeaders = keepUnderscoreHeaders
            parsed.headerTimeout = limits.headerTimeoutAmount
            tunnels.apply(to: &parsed)
            configuration = parsed
        } catch {
            FileHandle.standardError.write(Data("error: --upstream \(upstream): \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        let metrics = MetricsOption.service(host: host, port: metricsPort, logger: logger)
        var tls: TLSConfiguration?
        if let upstreamCA {
            tls = .makeClientConfiguration()
            tls?.trustRoots = .file(upstreamCA)
        }
        let gateway: Gateway
        do {
            gateway = try Gateway(configuration: configuration, tlsConfiguration: tls, logger: logger)
        } catch {
            let source = upstreamCA.map { "--upstream-ca \($0)" } ?? "--upstream \(upstream)"
            FileHandle.standardError.write(
                Data("error: \(source): TLS setup failed: \(TLSErrorText.describe(error))\n".utf8))
            throw ExitCode(2)
        }
        let app = gateway.makeApplication(
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: limits.connectionCap),
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                // Written unbuffered: scripts and tests wait for this line on a pipe.
                FileHandle.standardError.write(Data("gateway to \(configuration.upstream)\n".utf8))
                FileHandle.standardOutput.write(Data("listening on http://\(shown):\(boundPort)\n".utf8))
            }
        )
        do {
            // runService: SIGTERM/SIGINT stop accepting, let in-flight requests finish, then return.
            // The watchdog's grace is the upstream read timeout: a request in flight may take that long.
            try await app.runUntilSignalled(
                alongside: metrics + services,
                grace: Double(UpstreamPool.Configuration().readTimeout.nanoseconds) / 1e9,
                logger: logger)
        } catch {
            await gateway.shutdown()
            throw error
        }
        await gateway.shutdown()
    }
}
