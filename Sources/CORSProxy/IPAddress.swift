#if Tools
/// An IPv4 or IPv6 address, parsed from every textual form a URL host may take.
///
/// Parsing follows the WHATWG URL host parser (https://url.spec.whatwg.org/#concept-ipv4-parser):
/// `2130706433`, `0177.0.0.1`, `0x7f.1` and `127.1` are all `127.0.0.1`. A proxy must check the
/// canonical address, never the text, or `http://2130706433/` walks past a string comparison.
public enum IPAddress: Hashable, Sendable {
    /// An IPv4 address as its 32 bits, most significant first (`127.0.0.1` is `0x7f00_0001`).
    case v4(UInt32)
    /// The 128 bits as two halves, most significant first.
    case v6(UInt64, UInt64)

    /// Parses a URL host: bracketed IPv6 (`[::1]`), or any IPv4 form. Nil for a domain name.
    /// Throws when the host ends in a number but is not a valid IPv4 address (`1.2.3.256`).
    public static func parseHost(_ host: Substring) throws(IPAddressSyntaxError) -> IPAddress? {
        if host.utf8.first == UInt8(ascii: "[") {
            let inner = host.utf8.dropFirst().dropLast()
            guard host.utf8.count >= 2, host.utf8.last == UInt8(ascii: "]"),
                let v6 = parseIPv6(Substring(inner))
            else {
                throw IPAddressSyntaxError(host: String(host))
            }
            return v6
        }
        return try parseIPv4(host)
    }

    /// Parses the plain text of an address as `getaddrinfo` or a test writes it (`10.0.0.1`, `::1`).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v6 = Self.parseIPv6(Substring(text)) else { return nil }
            self = v6
        } else {
            guard let v4 = try? Self.parseIPv4(Substring(text)) else { return nil }
            self = v4
        }
    }

    /// https://url.spec.whatwg.org/#concept-ipv4-parser, on bytes (every proxied URL's host
    /// passes here).
    static func parseIPv4(_ host: Substring) throws(IPAddressSyntaxError) -> IPAddress? {
        let dot = UInt8(ascii: ".")
        var text = host.utf8[...]
        // One trailing dot is allowed (`127.0.0.1.`).
        if text.last == dot { text = text.dropLast() }
        let last = text.lastIndex(of: dot).map { text[text.index(after: $0)...] } ?? text
        guard !last.isEmpty else { return nil }
        // Only a host whose last label is a number is an IPv4 address (or an error).
        guard parseNumber(last) != nil else {
            let hexTail =
                last.count >= 2 && last.first == UInt8(ascii: "0")
                    && last.dropFirst().first! | 0x20 == UInt8(ascii: "x")
                ? last.dropFirst(2) : nil
            if last.allSatisfy(URLByte.isDigit) || hexTail?.allSatisfy({ URLByte.hexValue($0) != nil }) == true {
                throw IPAddressSyntaxError(host: String(host))
            }
            return nil
        }
        // The labels, parsed left to right without building an array of them.
        var value: UInt64 = 0
        var count = 0
        var previous: UInt64 = 0
        var start = text.startIndex
        while true {
            let end = text[start...].firstIndex(of: dot) ?? text.endIndex
            guard count < 4, let number = parseNumber(text[start..<end]) else {
                throw IPAddressSyntaxError(host: String(host))
            }
            // Every label but the last is one byte, placed as it goes.
            if count > 0 {
                guard previous <= 255 else { throw IPAddressSyntaxError(host: String(host)) }
                value += previous << (8 * UInt64(4 - count))
            }
            previous = number
            count += 1
            guard end < text.endIndex else { break }
            start = text.index(after: end)
        }
        // The last label fills the bytes that are left.
        guard previous < (1 << (8 * UInt64(5 - count))) else { throw IPAddressSyntaxError(host: String(host)) }
        value += previous
        return .v4(UInt32(value))
    }

    /// https://url.spec.whatwg.org/#ipv4-number-parser: `0x` hex, leading `0` octal, else decimal.
    private static func parseNumber(_ text: Substring.UTF8View.SubSequence) -> UInt64? {
        guard !text.isEmpty else { return nil }
        var digits = text
        var radix: UInt64 = 10
        if digits.count >= 2, digits.first == UInt8(ascii: "0"), digits.dropFirst().first! | 0x20 == UInt8(ascii: "x") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.first == UInt8(ascii: "0") {
            digits = digits.dropFirst()
            radix = 8
        }
        if digits.isEmpty { return 0 }
        guard digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = URLByte.hexValue(byte), digit < radix else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }

    /// RFC 4291 §2.2 text forms, including `::` and a trailing dotted IPv4 part. Zone ids are refused.
    static func parseIPv6(_ text: Substring) -> IPAddress? {
        guard !text.isEmpty, !text.contains("%") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawCompression = false
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        sawCompression = halves.count == 2
        func groups(_ part: String, allowIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4, index == pieces.count - 1, piece.contains(".") {
                    let octets = piece.split(separator: ".", omittingEmptySubsequences: false)
                    guard octets.count == 4 else { return nil }
                    var bytes: [UInt16] = []
                    for octet in octets {
                        guard (1...3).contains(octet.count), octet.allSatisfy(\.isASCIIDigit),
                            octet.count == 1 || octet.first != "0", let byte = UInt16(octet), byte <= 255
                        else { return nil }
                        bytes.append(byte)
                    }
                    result.append(bytes[0] << 8 | bytes[1])
                    result.append(bytes[2] << 8 | bytes[3])
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit),
                        let group = UInt16(piece, radix: 16)
                    else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        if sawCompression {
            guard let first = groups(halves[0], allowIPv4: false), let second = groups(halves[1], allowIPv4: true)
            else { return nil }
            head = first
            tail = second
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard let all = groups(halves[0], allowIPv4: true), all.count == 8 else { return nil }
            head = all
        }
        let words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, word) in words.enumerated() {
            if index < 4 { high = high << 16 | UInt64(word) } else { low = low << 16 | UInt64(word) }
        }
        return .v6(high, low)
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), if this is one.
    public var mappedIPv4: UInt32? {
        guard case .v6(let high, let low) = self, high == 0, low >> 32 == 0xffff else { return nil }
        return UInt32(truncatingIfNeeded: low)
    }

    /// The form to put in a URL's host: `127.0.0.1`, `[::1]`.
    public var uriHost: String {
        switch self {
        case .v4: description
        case .v6: "[\(description)]"
        }
    }
}

extension IPAddress: CustomStringConvertible {
    /// Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed).
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
        case .v6(let high, let low):
            if let v4 = mappedIPv4 { return "::ffff:\(IPAddress.v4(v4))" }
            var words: [UInt16] = []
            for shift in stride(from: 48, through: 0, by: -16) {
                words.append(UInt16(truncatingIfNeeded: high >> shift))
            }
            for shift in stride(from: 48, through: 0, by: -16) {
                words.append(UInt16(truncatingIfNeeded: low >> shift))
            }
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                var end = index
                while end < 8, words[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end == index ? index + 1 : end
            }
            func hex(_ slice: ArraySlice<UInt16>) -> String {
                slice.map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(words[...]) }
            return hex(words[..<bestStart]) + "::" + hex(words[(bestStart + bestLength)...])
        }
    }
}

/// A host that ends in a number but is not a valid address (`1.2.3.256`, `[::g]`).
public struct IPAddressSyntaxError: Error, Sendable, Equatable {
    /// The host as it was given to the parser (brackets included for IPv6).
    public let host: String
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
#endif
