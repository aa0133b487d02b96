/// A request target's path as a server resolves it before routing, read one segment at a time from
/// the end, without allocating.
///
/// The path is the target's up to `?` or `#`; an absolute-form target (`http://host/path`) is read
/// from its path. Percent escapes are decoded but for `%2F`, `%5C` and `%25` (RFC 3986 §6.2.2.2
/// decodes the unreserved ones; servers decode the rest before they route), dot segments are
/// removed (https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4, `%2e` being a dot) and empty
/// segments skipped (`//admin` is routed as `/admin`). Reading from the end resolves `..` with a
/// count instead of a stack of segments.
///
/// What servers read differently is a ``Reading``: the policy tries every reading a path calls
/// for, and a path whose readings select different routes is refused.
struct RequestPath {
    /// One way of reading what servers disagree on; a flag left out reads the bytes literally.
    struct Reading: OptionSet, Sendable {
        let rawValue: UInt8

        /// `;parameters` are cut from each segment (Tomcat, Jetty, Spring: `/admin;x/y` is `/admin/y`),
        /// at a `;` or a `%3B` (a server that decodes first).
        static let stripsParameters = Reading(rawValue: 1 << 0)
        /// `%2F` separates segments (a server that decodes before it splits).
        static let encodedSlashSeparates = Reading(rawValue: 1 << 1)
        /// `\` and `%5C` separate segments (IIS; the URL standard's parsing of `http:` URLs).
        static let backslashSeparates = Reading(rawValue: 1 << 2)
        /// `..` removes an empty segment before it (RFC 3986 read strictly: `/admin//../x` is
        /// `/admin/x`); else empty segments are merged first (nginx, Go, Python: `/x`).
        static let emptySegmentsCount = Reading(rawValue: 1 << 3)
    }

    /// What a first pass over the target finds.
    enum Scan: Equatable {
        /// An invalid percent escape, or a control byte (raw or encoded): servers refuse, cut or
        /// keep these, so no reading can be trusted.
        case malformed
        /// The readings that may change what the path means: every combination of them is tried.
        case readable(ambiguities: Reading)
    }

    /// Where the path is read, from its resolved end backwards.
    struct Cursor {
        var end: Int
        var isDone = false
        /// `..` segments seen that have not yet removed a segment before them.
        var parents = 0
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let reading: Reading
    let foldsCase: Bool
    /// The path's bytes past its leading `/`, before any `?` or `#`.
    let start: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, reading: Reading, foldsCase: Bool) {
        self.bytes = bytes
        self.reading = reading
        self.foldsCase = foldsCase
        let end = Self.pathEnd(bytes)
        self.end = end
        if let authority = Self.authorityStart(bytes, end: end) {
            var index = authority
            while index < end, !Self.isAuthorityEnd(bytes[index], reading) { index += 1 }
            self.start = min(index + 1, end)
        } else {
            // Origin-form (`/x`), or a target that lacks its `/` (`admin/x`), which some servers route as `/admin/x`.
            self.start = bytes.first == UInt8(ascii: "/") ? 1 : 0
        }
    }

    /// Calls `body` with the UTF-8 bytes of `target` (copied only if the string isn't contiguous).
    static func withBytes<Result>(of target: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = target.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(target.utf8).withUnsafeBufferPointer(body)
    }

    // MARK: Scanning

    /// One pass over the target: malformed, or which readings can matter.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        let end = pathEnd(bytes)
        var index = authorityStart(bytes, end: end) ?? 0
        var ambiguities: Reading = []
        var previousWasSeparator = false
        var previousWasDot = false
        var hasEmptySegment = false
        var hasDotDot = false
        while index < end {
            let byte = bytes[index]
            var value = byte
            var length = 1
            if byte == UInt8(ascii: "%") {
                guard index + 2 < end, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return .malformed }
                value = high << 4 | low
                length = 3
            }
            if isControl(value) { return .malformed }
            let isSeparator: Bool
            switch value {
            case UInt8(ascii: "/"):
                if length == 3 { ambiguities.insert(.encodedSlashSeparates) }
                isSeparator = true
            case UInt8(ascii: "\\"):
                ambiguities.insert(.backslashSeparates)
                isSeparator = true
            case UInt8(ascii: ";"):
                ambiguities.insert(.stripsParameters)
                // Stripped, `;x` leaves an empty segment (`/a/;x/../b`).
                if previousWasSeparator { hasEmptySegment = true }
                isSeparator = false
            default:
                isSeparator = false
            }
            if isSeparator, previousWasSeparator { hasEmptySegment = true }
            let isDot = value == UInt8(ascii: ".")
            if isDot, previousWasDot { hasDotDot = true }
            previousWasSeparator = isSeparator
            previousWasDot = isDot
            index += length
        }
        if hasEmptySegment, hasDotDot { ambiguities.insert(.emptySegmentsCount) }
        return .readable(ambiguities: ambiguities)
    }

    /// Where the path ends: at the first `?` or `#`.
    private static func pathEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.count
    }

    /// Past the `://` of an absolute-form target (`scheme://authority/path`); nil for other forms.
    private static func authorityStart(_ bytes: UnsafeBufferPointer<UInt8>, end: Int) -> Int? {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986 §3.1
        guard end > 0, isLetter(bytes[0]) else { return nil }
        var index = 1
        while index < end, isSchemeByte(bytes[index]) { index += 1 }
        guard index + 2 < end, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"),
            bytes[index + 2] == UInt8(ascii: "/")
        else { return nil }
        return index + 3
    }

    private static func isAuthorityEnd(_ byte: UInt8, _ reading: Reading) -> Bool {
        byte == UInt8(ascii: "/") || (byte == UInt8(ascii: "\\") && reading.contains(.backslashSeparates))
    }

    // MARK: Reading segments

    /// A cursor at the path's end.
    var last: Cursor { Cursor(end: end) }

    /// The resolved segment before `cursor` (its bytes, `;parameters` cut when the reading strips
    /// them), moving `cursor` before it; nil when no segment is left. Dot segments and the
    /// segments `..` removes are passed over; empty segments too.
    func previous(_ cursor: inout Cursor) -> Range<Int>? {
        while !cursor.isDone {
            let segmentEnd = cursor.end
            var segmentStart = start
            cursor.isDone = true
            var index = segmentEnd - 1
            while index >= start {
                if let separatorStart = separator(endingAt: index) {
                    segmentStart = index + 1
                    cursor.end = separatorStart
                    cursor.isDone = false
                    break
                }
                index -= 1
            }
            var end = segmentEnd
            if reading.contains(.stripsParameters) {
                var index = segmentStart
                while index < end, unit(at: index).value != UInt8(ascii: ";") { index += unit(at: index).length }
                end = index
            }
            switch dots(segmentStart..<end) {
            case 1:
                continue
            case 2:
                cursor.parents += 1
                continue
            case 0 where segmentStart == end:
                if reading.contains(.emptySegmentsCount), cursor.parents > 0 { cursor.parents -= 1 }
                continue
            default:
                if cursor.parents > 0 {
                    cursor.parents -= 1
                    continue
                }
                return segmentStart..<end
            }
        }
        return nil
    }

    /// Where the separator whose last byte is at `index` starts, if one ends there in this reading.
    private func separator(endingAt index: Int) -> Int? {
        let byte = bytes[index]
        if byte == UInt8(ascii: "/") { return index }
        if byte == UInt8(ascii: "\\") { return reading.contains(.backslashSeparates) ? index : nil }
        // Every `%` starts a valid escape (``scan(_:)``), so `%` two bytes back is this byte's escape.
        guard index - 2 >= start, bytes[index - 2] == UInt8(ascii: "%") else { return nil }
        let high = bytes[index - 1]
        let low = byte | 0x20
        if high == UInt8(ascii: "2"), low == UInt8(ascii: "f"), reading.contains(.encodedSlashSeparates) {
            return index - 2
        }
        if high == UInt8(ascii: "5"), low == UInt8(ascii: "c"), reading.contains(.backslashSeparates) {
            return index - 2
        }
        return nil
    }

    /// 1 for `.`, 2 for `..` (plain or `%2e`), else 0.
    private func dots(_ segment: Range<Int>) -> Int {
        var count = 0
        var index = segment.lowerBound
        while index < segment.upperBound {
            let (value, length) = unit(at: index)
            guard value == UInt8(ascii: "."), count < 2 else { return 0 }
            count += 1
            index += length
        }
        return count
    }

    /// The byte at `index`, decoded when it starts a percent escape, and how many bytes it spans.
    @inline(__always)
    private func unit(at index: Int) -> (value: UInt8, length: Int) {
        guard bytes[index] == UInt8(ascii: "%"), index + 2 < end,
            let high = Self.hexValue(bytes[index + 1]), let low = Self.hexValue(bytes[index + 2])
        else { return (bytes[index], 1) }
        return (high << 4 | low, 3)
    }

    /// Whether a resolved segment is `literal` (a ``RoutePattern`` segment, already decoded:
    /// `%25` stays encoded, `/`, `\` and `;` don't occur), ASCII case folded when asked.
    func segment(_ segment: Range<Int>, equals literal: [UInt8]) -> Bool {
        var index = segment.lowerBound
        var position = 0
        let count = literal.count
        while index < segment.upperBound {
            guard position < count else { return false }
            let (value, length) = unit(at: index)
            if length == 3, value == UInt8(ascii: "%") {
                // `%25` stays `%25`: decoding it would make an escape of what follows.
                guard position + 2 < count, literal[position] == UInt8(ascii: "%"),
                    literal[position + 1] == UInt8(ascii: "2"), literal[position + 2] == UInt8(ascii: "5")
                else { return false }
                position += 3
            } else {
                guard
                    foldsCase
                        ? Self.lowercased(value) == Self.lowercased(literal[position]) : value == literal[position]
                else { return false }
                position += 1
            }
            index += length
        }
        return position == count
    }

    // MARK: Bytes

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
