/// Byte-level helpers shared by the engine, the browser model and the tool: ASCII case folding,
/// HTTP whitespace, tokens. One copy, so the server side and the browser side read names alike.
///
/// Header names and values are byte strings in Fetch
/// (https://fetch.spec.whatwg.org/#concept-header); these helpers never use Unicode case mapping.
/// `package`, not public: an implementation detail of swift-cors's modules. The byte tests are
/// `@inlinable`: the engine's header scan calls them per byte.
package enum HTTPSyntax {
    /// `tchar` from RFC 9110 §5.6.2.
    @inlinable
    package static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// `token = 1*tchar`.
    @inlinable
    package static func isToken(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// `token = 1*tchar`.
    @inlinable
    package static func isToken(_ string: some StringProtocol) -> Bool {
        isToken(string.utf8)
    }

    /// HTTP whitespace (https://fetch.spec.whatwg.org/#http-whitespace): tab, LF, CR, space.
    @inlinable
    package static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x20
    }

    /// Removes leading and trailing HTTP whitespace.
    package static func trimmed(_ string: some StringProtocol) -> String {
        let bytes = Array(string.utf8)
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// ASCII lowercase (https://infra.spec.whatwg.org/#ascii-lowercase).
    package static func lowercased(_ string: some StringProtocol) -> String {
        String(decoding: string.utf8.map(lowercased), as: UTF8.self)
    }

    /// ASCII uppercase (https://infra.spec.whatwg.org/#ascii-uppercase).
    package static func uppercased(_ string: some StringProtocol) -> String {
        String(
            decoding: string.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 },
            as: UTF8.self
        )
    }

    /// ASCII-lowercases one byte.
    @inlinable
    package static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }

    /// Byte-case-insensitive comparison (https://infra.spec.whatwg.org/#byte-case-insensitive).
    package static func equalsIgnoringCase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        lhs.utf8.count == rhs.utf8.count && zip(lhs.utf8, rhs.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }
}

extension UInt8 {
    /// ASCII lowercase without touching other bytes.
    @inlinable
    package var asciiLowercased: UInt8 {
        (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z")) ? self | 0x20 : self
    }
}
