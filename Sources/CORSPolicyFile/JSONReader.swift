#if PolicyFile
/// A strict JSON reader ([RFC 8259](https://www.rfc-editor.org/rfc/rfc8259)) that keeps members in order,
/// keeps duplicate keys (so that they can be reported) and remembers where each value was written.
///
/// Foundation's `JSONSerialization` is not used: on Linux its errors give only a byte offset, and sometimes
/// none (`{"a": tru}` is reported as "Unexpected end of file"); it accepts trailing commas, drops duplicate
/// keys silently and loses the order of keys.
struct JSONReader {
    struct SyntaxError: Error {
        var message: String
        var position: SourcePosition
    }

    private let bytes: [UInt8]
    private var lines: LineIndex
    private var offset = 0
    private var depth = 0
    private static let maximumDepth = 64

    init(_ text: String) {
        self.bytes = Array(text.utf8)
        self.lines = LineIndex(bytes)
    }

    /// Reads the one value the text holds; `nil` when it holds nothing but white space.
    static func read(_ text: String) throws(SyntaxError) -> PolicyNode? {
        var reader = JSONReader(text)
        return try reader.readDocument()
    }

    private mutating func readDocument() throws(SyntaxError) -> PolicyNode? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }  // byte order mark
        skipWhitespace()
        guard offset < bytes.count else { return nil }
        let value = try readValue()
        skipWhitespace()
        guard offset == bytes.count else {
            throw error("unexpected \(describe(offset)) after the end of the top-level value")
        }
        return value
    }

    // MARK: Values

    private mutating func readValue() throws(SyntaxError) -> PolicyNode {
        let start = offset
        guard offset < bytes.count else { throw error("expected a value, found the end of the file") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return PolicyNode(.string(try readString()), at: position(start))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        case UInt8(ascii: "'"):
            throw error("expected a value, found \(describe(offset)): JSON strings are written in double quotes")
        case UInt8(ascii: "/"):
            throw error("expected a value, found \(describe(offset)): JSON has no comments")
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            let word = readWord()
            switch word {
            case "true": return PolicyNode(.bool(true), at: position(start))
            case "false": return PolicyNode(.bool(false), at: position(start))
            case "null": return PolicyNode(.null, at: position(start))
            default:
                offset = start
                let literal = ["true", "false", "null"].first {
                    PolicyKey.editDistance(Array(word.lowercased()), Array($0)) <= 2
                }
                let hint =
                    switch literal {
                    case word.lowercased()?: ": JSON writes it in lowercase, \(word.lowercased())"
                    case let literal?: ": did you mean \(literal)?"
                    case nil: ": strings are written in double quotes"
                    }
                throw error("expected a value, found \(PolicyNode.quoted(word))\(hint)")
            }
        default:
            throw error("expected a value, found \(describe(offset))")
        }
    }

    private mutating func readObject() throws(SyntaxError) -> PolicyNode {
        let start = position(offset)
        try enter()
        offset += 1  // {
        var members: [PolicyNode.Member] = []
        skipWhitespace()
        if peek(is: "}") {
            offset += 1
            depth -= 1
            return PolicyNode(.object([]), at: start)
        }
        while true {
            skipWhitespace()
            guard peek(is: "\"") else {
                if peek(is: "}"), !members.isEmpty {
                    throw error("expected a key after ',', found '}': JSON does not allow a trailing comma")
                }
                let hint = peek(is: "'") ? ": keys are written in double quotes" : ""
                throw error("expected a key in double quotes, found \(describe(offset))\(hint)")
            }
            let keyPosition = position(offset)
            let key = try readString()
            skipWhitespace()
            guard peek(is: ":") else {
                throw error("expected ':' after the key \(PolicyNode.quoted(key)), found \(describe(offset))")
            }
            offset += 1
            skipWhitespace()
            let value = try readValue()
            members.append(PolicyNode.Member(key: key, keyPosition: keyPosition, value: value))
            skipWhitespace()
            if peek(is: ",") {
                offset += 1
            } else if peek(is: "}") {
                offset += 1
                depth -= 1
                return PolicyNode(.object(members), at: start)
            } else {
                throw error(
                    "expected ',' or '}' after the value of \(PolicyNode.quoted(key)), found \(describe(offset))"
                )
            }
        }
    }

    private mutating func readArray() throws(SyntaxError) -> PolicyNode {
        let start = position(offset)
        try enter()
        offset += 1  // [
        var elements: [PolicyNode] = []
        skipWhitespace()
        if peek(is: "]") {
            offset += 1
            depth -= 1
            return PolicyNode(.array([]), at: start)
        }
        while true {
            skipWhitespace()
            if peek(is: "]") {
                throw error("expected a value after ',', found ']': JSON does not allow a trailing comma")
            }
            elements.append(try readValue())
            skipWhitespace()
            if peek(is: ",") {
                offset += 1
            } else if peek(is: "]") {
                offset += 1
                depth -= 1
                return PolicyNode(.array(elements), at: start)
            } else {
                throw error("expected ',' or ']' after an element of the array, found \(describe(offset))")
            }
        }
    }

    private mutating func readString() throws(SyntaxError) -> String {
        let start = offset
        offset += 1  // "
        var scalars = String.UnicodeScalarView()
        var run = offset  // start of the current run of plain bytes
        func flush(_ end: Int) {
            scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars)
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                flush(offset)
                offset += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flush(offset)
                scalars.append(try readEscape())
                run = offset
            case 0..<0x20:
                let what = byte == UInt8(ascii: "\n") ? "a line break" : "a control character"
                throw error("\(what) inside a string (is a closing '\"' missing?); escape it, e.g. \\n")
            default:
                offset += 1
            }
        }
        offset = start
        throw error("the string that starts here is never closed (missing '\"')")
    }

    private mutating func readEscape() throws(SyntaxError) -> Unicode.Scalar {
        let start = offset
        offset += 1  // backslash
        guard offset < bytes.count else { throw error("the file ends inside an escape sequence") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try readHex(escapeStart: start)
            if (0xD800..<0xDC00).contains(unit) {
                if bytes[offset...].starts(with: Array("\\u".utf8)) {
                    offset += 2
                    let low = try readHex(escapeStart: start)
                    if (0xDC00..<0xE000).contains(low),
                        let scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    {
                        return scalar
                    }
                }
                offset = start
                throw error("a high surrogate escape must be followed by a low one (\\uDC00–\\uDFFF)")
            }
            guard let scalar = Unicode.Scalar(unit) else {
                offset = start
                throw error("a low surrogate escape without a high one before it")
            }
            return scalar
        default:
            offset = start
            throw error(
                "invalid escape sequence '\\\(describeScalar(at: start + 1))': JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
            )
        }
    }

    private mutating func readHex(escapeStart: Int) throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < bytes.count, let digit = hexValue(bytes[offset]) else {
                offset = escapeStart
                throw error("'\\u' must be followed by four hexadecimal digits")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private mutating func readNumber() throws(SyntaxError) -> PolicyNode {
        let start = offset
        if peek(is: "-") { offset += 1 }
        guard offset < bytes.count, isDigit(bytes[offset]) else {
            throw error("expected a digit after '-', found \(describe(offset))")
        }
        if bytes[offset] == UInt8(ascii: "0"), offset + 1 < bytes.count, isDigit(bytes[offset + 1]) {
            throw error("a number must not start with 0 (leading zeros are not allowed in JSON)")
        }
        skipDigits()
        var isInteger = true
        if peek(is: ".") {
            isInteger = false
            offset += 1
            guard offset < bytes.count, isDigit(bytes[offset]) else {
                throw error("expected a digit after '.', found \(describe(offset))")
            }
            skipDigits()
        }
        if peek(is: "e") || peek(is: "E") {
            isInteger = false
            offset += 1
            if peek(is: "+") || peek(is: "-") { offset += 1 }
            guard offset < bytes.count, isDigit(bytes[offset]) else {
                throw error("expected a digit in the exponent, found \(describe(offset))")
            }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isInteger, let integer = Int(text) {
            return PolicyNode(.integer(integer), at: position(start))
        }
        return PolicyNode(.number(text), at: position(start))
    }

    // MARK: Helpers

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw error("the document nests objects and arrays more than \(Self.maximumDepth) levels deep")
        }
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): offset += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
    }

    private mutating func readWord() -> String {
        let start = offset
        while offset < bytes.count, isWordByte(bytes[offset]) { offset += 1 }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private func peek(is character: Unicode.Scalar) -> Bool {
        offset < bytes.count && bytes[offset] == UInt8(ascii: character)
    }

    private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The scalar starting at `index`, for messages.
    private func describeScalar(at index: Int) -> String {
        guard index < bytes.count else { return "" }
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    private func describe(_ index: Int) -> String {
        guard index < bytes.count else { return "the end of the file" }
        switch bytes[index] {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "a line break"
        case UInt8(ascii: "'"): return "\"'\""
        default: return "'\(describeScalar(at: index))'"
        }
    }

    private mutating func position(_ index: Int) -> SourcePosition { lines.position(ofByte: index) }

    private func error(_ message: String) -> SyntaxError {
        var index = lines
        return SyntaxError(message: message, position: index.position(ofByte: offset))
    }
}
#endif
