/// A host that is an IP address, as browsers read and write it (the URL standard's host
/// parser and serializer): configured origins are compared byte for byte with what browsers
/// send, so an address written any other way (`127.1`, `0177.0.0.1`, `[::0001]`) never matches.
enum AddressHost {
    enum Verdict: Equatable {
        /// Not an address: a domain name.
        case name
        /// An address, written as browsers write it.
        case canonical
        /// An address browsers write as `canonical` instead.
        case written(canonical: String)
        /// Looks like an address (ends in a number, or bracketed) but is none: browsers refuse the URL.
        case invalid
    }

    static func verdict(_ host: String) -> Verdict {
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), let pieces = ipv6Pieces(host.dropFirst().dropLast()) else { return .invalid }
            let canonical = "[" + serialize(ipv6: pieces) + "]"
            return canonical == host ? .canonical : .written(canonical: canonical)
        }
        guard endsInANumber(host) else { return .name }
        guard let address = ipv4(host) else { return .invalid }
        let canonical = (0..<4).map { String((address >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
        return canonical == host ? .canonical : .written(canonical: canonical)
    }

    /// The URL standard's "ends in a number": the last label (a final empty one dropped) is
    /// decimal digits, or `0x` and hex digits.
    static func endsInANumber(_ host: String) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.last == "", labels.count > 1 { labels.removeLast() }
        guard let last = labels.last, !last.isEmpty else { return false }
        if last.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) { return true }
        return number(last) != nil && (last.hasPrefix("0x") || last.hasPrefix("0X"))
    }

    /// The URL standard's IPv4 parser: one to four parts, each decimal, octal (leading 0) or hex
    /// (`0x`), the last filling the remaining bytes.
    static func ipv4(_ host: String) -> UInt32? {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "", parts.count > 1 { parts.removeLast() }
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            numbers.append(value)
        }
        for value in numbers.dropLast() where value > 255 { return nil }
        let last = numbers[numbers.count - 1]
        guard last < UInt64(1) << (8 * (5 - numbers.count)) else { return nil }
        var address = last
        for (index, value) in numbers.dropLast().enumerated() { address += value << (8 * (3 - index)) }
        return UInt32(address)
    }

    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix = 10
        if digits.count >= 2, digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        if digits.isEmpty { return 0 }
        guard digits.count <= 20, let value = UInt64(digits, radix: radix) else { return nil }
        return value
    }

    /// The URL standard's IPv6 parser, to eight 16-bit pieces (an embedded IPv4 tail allowed).
    static func ipv6Pieces(_ text: Substring) -> [UInt16]? {
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func pieces(_ half: Substring) -> [UInt16]? {
            if half.isEmpty { return [] }
            var result: [UInt16] = []
            let groups = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, group) in groups.enumerated() {
                if index == groups.count - 1, group.contains(".") {
                    guard group.split(separator: ".", omittingEmptySubsequences: false).count == 4,
                        group.split(separator: ".").allSatisfy({ $0.count <= 3 && UInt8($0) != nil }),
                        let v4 = ipv4(String(group))
                    else { return nil }
                    result += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                } else {
                    guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                    result.append(value)
                }
            }
            return result
        }
        guard let head = pieces(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 8 ? head : nil }
        guard let tail = pieces(halves[1]), head.count + tail.count <= 7 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    /// The URL standard's IPv6 serializer (RFC 5952): lowercase hex without leading zeros, the
    /// first longest run of two or more zero pieces as `::`.
    static func serialize(ipv6 pieces: [UInt16]) -> String {
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard pieces[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, pieces[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        var text = ""
        index = 0
        while index < 8 {
            if index == bestStart {
                text += index == 0 ? "::" : ":"
                index += bestLength
                continue
            }
            text += String(pieces[index], radix: 16)
            if index < 7 { text += ":" }
            index += 1
        }
        return text
    }
}
