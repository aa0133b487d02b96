#if Tools
import CORSNIO
import NIOHTTP1

/// What a request's head says about how it may be passed on: its body's framing, and whether it
/// may be sent twice.
enum RequestFraming {
    /// The first transfer coding other than `chunked` (RFC 9112 §6.1: a server answers one it
    /// does not implement with 501), nil when there is none.
    static func unsupportedTransferCoding(_ head: HTTPRequestHead) -> String? {
        guard head.headers.contains(name: "transfer-encoding") else { return nil }
        for value in head.headers["transfer-encoding"] {
            for coding in value.split(separator: ",") {
                let name = coding.trimmingASCIISpaces()
                if !name.isEmpty, !ASCII.equalsIgnoringCase(name, "chunked") { return String(name) }
            }
        }
        return nil
    }

    /// Whether the last transfer coding of the request's body is `chunked` (which frames it).
    static func endsChunked(_ head: HTTPRequestHead) -> Bool {
        guard let last = head.headers["transfer-encoding"].last?.split(separator: ",").last else { return false }
        return ASCII.equalsIgnoringCase(last.trimmingASCIISpaces(), "chunked")
    }

    /// Methods safe to send twice (RFC 9110 §9.2.2): only these are retried.
    static let idempotent: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE]
}
#endif
