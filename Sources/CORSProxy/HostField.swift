#if Tools
import CORSNIO
import NIOHTTP1

/// The request's `Host` field as RFC 9112 §3.2 requires it: a server answers 400 to an HTTP/1.1
/// request without one, and to any request with more than one or with one that is not
/// `host[:port]`. Forwarding such a request would leave the upstream (and `X-Forwarded-Host`) to
/// guess which host was meant.
enum HostField {
    /// What is wrong with the request's `Host` field, as the 400's message; nil when nothing is.
    static func problem(in head: HTTPRequestHead) -> String? {
        var value: String?
        for (name, fieldValue) in head.headers where ASCII.equalsIgnoringCase(name, "host") {
            if value != nil { return "Bad request: more than one Host header field." }
            value = fieldValue
        }
        guard let value else {
            let needsHost = head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1)
            return needsHost ? "Bad request: an HTTP/1.1 request needs a Host header field." : nil
        }
        return isValid(value) ? nil : "Bad request: the Host header field is not host[:port]."
    }

    /// `uri-host [":" port]` (RFC 3986 §3.2.2–3.2.3); empty is valid (a target without authority).
    static func isValid(_ value: String) -> Bool {
        var bytes = Substring(value).utf8[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = bytes[bytes.index(after: bytes.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy(isIPLiteralByte) else { return false }
            bytes = bytes[bytes.index(after: close)...]
        } else {
            let end = bytes.firstIndex(of: UInt8(ascii: ":")) ?? bytes.endIndex
            guard isRegName(bytes[..<end]) else { return false }
            bytes = bytes[end...]
        }
        guard let colon = bytes.first else { return true }
        return colon == UInt8(ascii: ":") && bytes.dropFirst().allSatisfy(isDigit)
    }

    /// unreserved / pct-encoded / sub-delims.
    private static func isRegName(_ bytes: Substring.UTF8View.SubSequence) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                guard first < bytes.endIndex, bytes.index(after: first) < bytes.endIndex,
                    isHexDigit(bytes[first]), isHexDigit(bytes[bytes.index(after: first)])
                else { return false }
                index = bytes.index(index, offsetBy: 3)
                continue
            }
            guard isUnreserved(byte) || isSubDelimiter(byte) else { return false }
            index = bytes.index(after: index)
        }
        return true
    }

    /// An IPv6 address or IPvFuture between brackets: hex digits, `:`, `.`, `v` and what IPvFuture adds.
    private static func isIPLiteralByte(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || isSubDelimiter(byte) || byte == UInt8(ascii: ":")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "~")
    }

    private static func isSubDelimiter(_ byte: UInt8) -> Bool {
        "!$&'()*+,;=".utf8.contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
    }
}
#endif
