import ArgumentParser
import CORSProxy
import NIOCore

/// The gateway's WebSocket tunnels: `--no-websockets`, `--tunnel-idle-timeout`, `--tunnel-byte-limit`.
struct TunnelOption: ParsableArguments {
    @Flag(
        name: .customLong("websockets"), inversion: .prefixedNo,
        help: """
            With --upstream: tunnel WebSocket upgrades from origins the policy allows (others get 403). \
            --no-websockets forwards them as plain requests.
            """)
    var websockets = true

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "With --upstream: seconds a WebSocket tunnel may carry nothing either way before it closes.",
            valueName: "seconds"))
    var tunnelIdleTimeout: Int?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "With --upstream: most bytes one direction of a WebSocket tunnel carries before it closes (default: no limit).",
            valueName: "bytes"))
    var tunnelByteLimit: Int?

    func validate(hasUpstream: Bool) throws {
        if let tunnelIdleTimeout, !(1...86_400).contains(tunnelIdleTimeout) {
            throw ValidationError("--tunnel-idle-timeout must be between 1 and 86400 seconds, got \(tunnelIdleTimeout)")
        }
        if let tunnelByteLimit, tunnelByteLimit < 1 {
            throw ValidationError("--tunnel-byte-limit must be a number of bytes from 1, got \(tunnelByteLimit)")
        }
        let named = [
            !websockets ? "--no-websockets" : nil, tunnelIdleTimeout.map { _ in "--tunnel-idle-timeout" },
            tunnelByteLimit.map { _ in "--tunnel-byte-limit" },
        ].compactMap { $0 }
        if let first = named.first, !hasUpstream {
            throw ValidationError("\(first) is about the gateway's WebSocket tunnels: it needs --upstream")
        }
    }

    func apply(to configuration: inout GatewayConfiguration) {
        configuration.tunnelsWebSockets = websockets
        if let tunnelIdleTimeout { configuration.tunnelIdleTimeout = .seconds(Int64(tunnelIdleTimeout)) }
        configuration.tunnelByteLimit = tunnelByteLimit
    }
}
