/// The syntax tree of a `regex:` origin.
///
/// The dialect is the common core of ICU, JavaScript and PCRE that origin rules need: literals,
/// escapes (`\.`, `\d`, `\w`, `\s` and their negations, `\xHH`), classes with ranges and `^`,
/// `.`, groups (`(…)`, `(?:…)`, `(?<name>…)`), `|`, the quantifiers `* + ? {n} {n,} {n,m}`
/// (lazy `?` allowed: a whole match does not depend on it) and the anchors `^ $ \A \z`. Anything
/// a backtracking engine needs exponential time or memory for (backreferences, lookaround,
/// possessive and atomic forms) is refused here, so the matcher can be a linear-time automaton.
indirect enum OriginRegexNode: Equatable {
    case bytes(ByteClass)
    case start
    case end
    case sequence([OriginRegexNode])
    case alternation([OriginRegexNode])
    /// `maximum == nil`: unbounded.
    case repetition(OriginRegexNode, minimum: Int, maximum: Int?)
}

/// Why a `regex:` origin was refused by the parser, in words for `cors lint`.
struct OriginRegexSyntaxError: Error, Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        /// A construct backtracking engines need exponential time for, or that no automaton has.
        case unsafe
        case invalid
    }

    var kind: Kind
    var message: String
    /// Byte offset in the source.
    var offset: Int

    var description: String { "\(message) at offset \(offset)" }
}

struct OriginRegexParser {
    /// Groups nest at most this deep: the parser recurses once per level.
    static let maximumNesting = 32
    /// The largest repetition count (`{n,m}`); bigger ones are never needed for an origin.
    static let maximumCount = 1000

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    static func parse(_ source: String) throws(OriginRegexSyntaxError) -> OriginRegexNode {
        var parser = OriginRegexParser(bytes: Array(source.utf8))
        let node = try parser.parseAlternation()
        if parser.index < parser.bytes.count {
            // Only an unmatched `)` stops the top-level alternation early.
            throw parser.error(.invalid, "unmatched ')'")
        }
        return node
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func error(_ kind: OriginRegexSyntaxError.Kind, _ message: String) -> OriginRegexSyntaxError {
        OriginRegexSyntaxError(kind: kind, message: message, offset: index)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func peek(_ offset: Int) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func parseAlternation() throws(OriginRegexSyntaxError) -> OriginRegexNode {
        var alternatives = [try parseSequence()]
        while current == UInt8(ascii: "|") {
            index += 1
            alternatives.append(try parseSequence())
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    private mutating func parseSequence() throws(OriginRegexSyntaxError) -> OriginRegexNode {
        var items: [OriginRegexNode] = []
        while let byte = current, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
            var atom = try parseAtom()
            while let quantifier = try parseQuantifier() {
                if case .start = atom { throw error(.invalid, "a quantifier follows an anchor") }
                if case .end = atom { throw error(.invalid, "a quantifier follows an anchor") }
                atom = .repetition(atom, minimum: quantifier.minimum, maximum: quantifier.maximum)
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    private mutating func parseQuantifier() throws(OriginRegexSyntaxError) -> (minimum: Int, maximum: Int?)? {
        guard let byte = current else { return nil }
        let bounds: (Int, Int?)
        switch byte {
        case UInt8(ascii: "*"): bounds = (0, nil)
        case UInt8(ascii: "+"): bounds = (1, nil)
        case UInt8(ascii: "?"): bounds = (0, 1)
        case UInt8(ascii: "{"): bounds = try parseBraces()
        default: return nil
        }
        if byte != UInt8(ascii: "{") { index += 1 }
        if current == UInt8(ascii: "?") {
            index += 1
        } else if current == UInt8(ascii: "+") {
            throw error(.unsafe, "possessive quantifiers ('*+', '++', …) are not supported")
        }
        return bounds
    }

    /// `{n}`, `{n,}` or `{n,m}`; the index is on `{`.
    private mutating func parseBraces() throws(OriginRegexSyntaxError) -> (Int, Int?) {
        index += 1
        guard let minimum = parseNumber() else { throw error(.invalid, "'{' is not followed by a count") }
        var maximum: Int? = minimum
        if current == UInt8(ascii: ",") {
            index += 1
            maximum = parseNumber()
        }
        guard current == UInt8(ascii: "}") else { throw error(.invalid, "a '{…}' count is not closed by '}'") }
        index += 1
        if let maximum, maximum < minimum { throw error(.invalid, "a '{n,m}' count has m smaller than n") }
        if minimum > Self.maximumCount || (maximum ?? 0) > Self.maximumCount {
            throw error(.invalid, "a repetition count is above \(Self.maximumCount)")
        }
        return (minimum, maximum)
    }

    private mutating func parseNumber() -> Int? {
        var value = 0
        var digits = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            // Saturates: anything above the maximum count is refused anyway.
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), Self.maximumCount + 1)
            digits += 1
            index += 1
        }
        return digits == 0 ? nil : value
    }

    private mutating func parseAtom() throws(OriginRegexSyntaxError) -> OriginRegexNode {
        let byte = bytes[index]
        switch byte {
        case UInt8(ascii: "("):
            return try parseGroup()
        case UInt8(ascii: "["):
            index += 1
            return .bytes(try parseClass())
        case UInt8(ascii: "."):
            index += 1
            return .bytes(.dot)
        case UInt8(ascii: "^"):
            index += 1
            return .start
        case UInt8(ascii: "$"):
            index += 1
            return .end
        case UInt8(ascii: "\\"):
            return try parseEscape()
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
            throw error(.invalid, "'\(Character(Unicode.Scalar(byte)))' has nothing to repeat")
        case UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw error(.invalid, "unmatched '\(Character(Unicode.Scalar(byte)))'")
        case 0x80...:
            throw error(.invalid, "a non-ASCII character: browsers send hosts in punycode (xn--)")
        default:
            index += 1
            return .bytes(ByteClass(byte: byte))
        }
    }

    private mutating func parseGroup() throws(OriginRegexSyntaxError) -> OriginRegexNode {
        let open = index
        index += 1
        if current == UInt8(ascii: "?") {
            switch (peek(1), peek(2)) {
            case (UInt8(ascii: ":"), _):
                index += 2
            case (UInt8(ascii: "="), _), (UInt8(ascii: "!"), _), (UInt8(ascii: "<"), UInt8(ascii: "=")),
                (UInt8(ascii: "<"), UInt8(ascii: "!")):
                throw error(.unsafe, "lookaround ('(?=', '(?!', '(?<=', '(?<!') is not supported")
            case (UInt8(ascii: ">"), _):
                throw error(.unsafe, "atomic groups ('(?>') are not supported")
            case (UInt8(ascii: "<"), _), (UInt8(ascii: "P"), UInt8(ascii: "<")):
                index += peek(1) == UInt8(ascii: "P") ? 3 : 2
                while let byte = current, byte != UInt8(ascii: ">") {
                    guard ByteClass.word.contains(byte) else { throw error(.invalid, "a group name is not a word") }
                    index += 1
                }
                guard current == UInt8(ascii: ">") else { throw error(.invalid, "a group name is not closed") }
                index += 1
            default:
                throw error(.invalid, "'(?' starts a group form that is not supported (flags, conditionals)")
            }
        }
        depth += 1
        guard depth <= Self.maximumNesting else {
            throw error(.invalid, "groups nest deeper than \(Self.maximumNesting) levels")
        }
        let body = try parseAlternation()
        depth -= 1
        guard current == UInt8(ascii: ")") else {
            throw OriginRegexSyntaxError(kind: .invalid, message: "'(' is never closed", offset: open)
        }
        index += 1
        return body
    }

    private mutating func parseEscape() throws(OriginRegexSyntaxError) -> OriginRegexNode {
        index += 1
        guard let byte = current else { throw error(.invalid, "the regex ends with a lone '\\'") }
        switch byte {
        case UInt8(ascii: "A"):
            index += 1
            return .start
        case UInt8(ascii: "z"), UInt8(ascii: "Z"):
            index += 1
            return .end
        case UInt8(ascii: "1")...UInt8(ascii: "9"), UInt8(ascii: "k"):
            throw error(.unsafe, "backreferences are not supported")
        case UInt8(ascii: "b"), UInt8(ascii: "B"):
            throw error(.invalid, "word boundaries ('\\b', '\\B') are not supported; write the characters around it")
        default:
            return .bytes(try parseEscapedClass())
        }
    }

    /// After a `\` (in or out of a class): a class escape, a control escape or an escaped symbol.
    private mutating func parseEscapedClass() throws(OriginRegexSyntaxError) -> ByteClass {
        guard let byte = current else { throw error(.invalid, "the regex ends with a lone '\\'") }
        index += 1
        switch byte {
        case UInt8(ascii: "d"): return .digits
        case UInt8(ascii: "D"): return ByteClass(complementOf: .digits)
        case UInt8(ascii: "w"): return .word
        case UInt8(ascii: "W"): return ByteClass(complementOf: .word)
        case UInt8(ascii: "s"): return .space
        case UInt8(ascii: "S"): return ByteClass(complementOf: .space)
        case UInt8(ascii: "t"): return ByteClass(byte: 0x09)
        case UInt8(ascii: "n"): return ByteClass(byte: 0x0A)
        case UInt8(ascii: "r"): return ByteClass(byte: 0x0D)
        case UInt8(ascii: "x"):
            guard let high = peek(0).flatMap(Self.hexValue), let low = peek(1).flatMap(Self.hexValue) else {
                throw error(.invalid, "'\\x' is not followed by two hex digits")
            }
            index += 2
            return ByteClass(byte: high << 4 | low)
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E:
            return ByteClass(byte: byte)
        default:
            index -= 1
            throw error(.invalid, "the escape '\\\(Character(Unicode.Scalar(byte)))' is not supported")
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `[…]`; the index is just past `[`.
    private mutating func parseClass() throws(OriginRegexSyntaxError) -> ByteClass {
        let open = index - 1
        var negated = false
        if current == UInt8(ascii: "^") {
            negated = true
            index += 1
        }
        var result = ByteClass.empty
        var first = true
        while true {
            guard let byte = current else {
                throw OriginRegexSyntaxError(kind: .invalid, message: "'[' is never closed", offset: open)
            }
            if byte == UInt8(ascii: "]") && !first { break }
            if byte == UInt8(ascii: "[") {
                throw error(.invalid, "nested classes and '[:name:]' are not supported")
            }
            first = false
            let low: UInt8
            if byte == UInt8(ascii: "\\") {
                index += 1
                let escaped = try parseEscapedClass()
                guard let single = Self.singleByte(escaped) else {
                    result.formUnion(escaped)
                    continue
                }
                low = single
            } else {
                if byte >= 0x80 {
                    throw error(.invalid, "a non-ASCII character: browsers send hosts in punycode (xn--)")
                }
                index += 1
                low = byte
            }
            guard current == UInt8(ascii: "-"), let next = peek(1), next != UInt8(ascii: "]") else {
                result.insert(low)
                continue
            }
            index += 1
            var high = next
            if next == UInt8(ascii: "\\") {
                index += 1
                guard let single = Self.singleByte(try parseEscapedClass()) else {
                    throw error(.invalid, "a range ends in a class escape")
                }
                high = single
            } else {
                index += 1
            }
            guard low <= high else { throw error(.invalid, "a class range runs backwards") }
            result.insert(low...high)
        }
        index += 1
        return negated ? ByteClass(complementOf: result) : result
    }

    private static func singleByte(_ set: ByteClass) -> UInt8? {
        var found: UInt8?
        for byte in 0...255 where set.contains(UInt8(byte)) {
            if found != nil { return nil }
            found = UInt8(byte)
        }
        return found
    }
}
