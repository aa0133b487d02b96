#if Tools
import CORSNIO
import HTTPTypes
import NIOHTTP1

/// Requests that ask to switch protocols (RFC 9110 §7.8), as the gateway and NIO's parser see them.
enum UpgradeRequest {
    /// llhttp's rule: an `Upgrade` field and `upgrade` among `Connection`'s tokens. NIO's decoder
    /// parses nothing after such a request, so the connection closes once it is answered (unless
    /// it becomes a tunnel).
    static func stopsParsing(_ head: HTTPRequestHead) -> Bool {
        head.headers.contains(name: "upgrade") && connectionListsUpgrade(head.headers)
    }

    /// A WebSocket opening handshake (RFC 6455 §4.1): a `GET` over HTTP/1.1 with
    /// `Upgrade: websocket` and `Connection: Upgrade`.
    static func isWebSocketHandshake(_ head: HTTPRequestHead) -> Bool {
        head.method == .GET && head.version == .http1_1 && head.headers.isWebSocketUpgrade
            && connectionListsUpgrade(head.headers)
    }

    private static func connectionListsUpgrade(_ headers: HTTPHeaders) -> Bool {
        for (name, value) in headers where ASCII.equalsIgnoringCase(name, "connection") {
            for token in value.split(separator: ",")
            where ASCII.equalsIgnoringCase(token.trimmingASCIISpaces(), "upgrade") {
                return true
            }
        }
        return false
    }

    /// What the gateway does with an upstream's `101`: relayed with its `Upgrade` and
    /// `Connection` fields when the request asked for a WebSocket and the upstream switched to
    /// one; anything else is a 502 (a switch nobody asked for can't be relayed as HTTP).
    static func answer(toSwitch head: HTTPResponseHead, tunnels: Bool, upstream: String) -> UpstreamAnswer {
        guard tunnels else {
            return .refuse(
                ProxyRejection(
                    .badGateway, reason: "upstream-bad-answer",
                    "Bad gateway: \(upstream) switched protocols (101) for a request that asked for no switch."))
        }
        guard head.headers.isWebSocketUpgrade else {
            let offered = head.headers["upgrade"].joined(separator: ", ")
            return .refuse(
                ProxyRejection(
                    .badGateway, reason: "upstream-bad-answer",
                    "Bad gateway: \(upstream) answered a WebSocket handshake with 101 to "
                        + (offered.isEmpty ? "no protocol (no Upgrade field)" : "\"\(offered)\"") + ", not websocket."))
        }
        var headers = HopByHop.endToEnd(head.headers, reserving: 2) {
            ASCII.hasPrefixIgnoringCase($0, "access-control-")
        }
        for value in head.headers["upgrade"] { headers.add(name: "Upgrade", value: value) }
        headers.add(name: "Connection", value: "Upgrade")
        return .relay(headers)
    }
}
#endif
