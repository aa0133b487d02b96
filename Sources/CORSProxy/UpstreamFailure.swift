#if Tools
import CORSNIO
import HTTPTypes
import NIOHTTP1

/// Turns what went wrong upstream into the answer the browser gets: 504 for time-outs, 502 for
/// everything else (refused, reset, malformed, TLS), each saying which upstream failed and how.
enum UpstreamFailure {
    static func rejection(for failure: UpstreamConnectionFailure, upstream: String) -> ProxyRejection {
        switch failure {
        case .connectTimeout:
            ProxyRejection(
                .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: connecting to \(upstream) timed out.")
        case .readTimeout:
            ProxyRejection(
                .gatewayTimeout, reason: "upstream-timeout", "Gateway timeout: \(upstream) stopped answering.")
        case .closed:
            ProxyRejection(.badGateway, reason: "upstream-error", "Bad gateway: \(upstream) closed the connection.")
        case .malformed(let error):
            ProxyRejection(
                .badGateway, reason: "upstream-error",
                "Bad gateway: \(upstream) sent a malformed answer: \(Self.explained(error)).")
        case .tls(let error):
            ProxyRejection(
                .badGateway, reason: "upstream-tls",
                "Bad gateway: the TLS handshake with \(upstream) failed (\(TLSErrorText.describe(error))).")
        case .connect(let error):
            ProxyRejection(
                .badGateway, reason: "upstream-error", "Bad gateway: could not reach \(upstream) (\(error)).")
        }
    }

    private static func explained(_ error: any Error) -> String {
        (error as? HTTPParserError)?.explanation ?? "\(error)"
    }
}
#endif
