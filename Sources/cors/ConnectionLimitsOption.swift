import ArgumentParser
import HummingbirdCore
import NIOCore

/// `--header-timeout` and `--max-connections`: what one client (or many) may hold of a server
/// before sending a whole request. Every server of the tool takes them.
struct ConnectionLimitsOption: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: """
            Seconds a request's header fields may take to arrive from its first byte; a slower client \
            gets 408 and the connection closes.
            """)
    var headerTimeout = 30

    @Option(
        parsing: .unconditional,
        help: """
            Connections served at once; more wait in the listen queue until one closes.
            """)
    var maxConnections = 4096

    func validate() throws {
        guard (1...3600).contains(headerTimeout) else {
            throw ValidationError("--header-timeout must be between 1 and 3600 seconds, got \(headerTimeout)")
        }
        guard (1...1_000_000).contains(maxConnections) else {
            throw ValidationError("--max-connections must be between 1 and 1000000, got \(maxConnections)")
        }
    }

    var headerTimeoutAmount: TimeAmount { .seconds(Int64(headerTimeout)) }

    var connectionCap: MaximumAvailableConnections { MaximumAvailableConnections(maxConnections) }
}
