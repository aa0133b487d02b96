/// A set of bytes, as one regex atom matches them: 256 bits, no allocation.
struct ByteClass: Equatable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static let empty = ByteClass()
    static let all = ByteClass(complementOf: .empty)
    static let digits = ByteClass(ranges: [(0x30, 0x39)])
    static let word = ByteClass(ranges: [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x5F, 0x5F)])
    static let space = ByteClass(ranges: [(0x09, 0x0D), (0x20, 0x20)])
    /// `.`: every byte but a line feed.
    static let dot = ByteClass(complementOf: ByteClass(ranges: [(0x0A, 0x0A)]))

    init() {}

    init(byte: UInt8) {
        insert(byte)
    }

    init(ranges: [(UInt8, UInt8)]) {
        for (low, high) in ranges { insert(low...high) }
    }

    init(complementOf other: ByteClass) {
        words = (~other.words.0, ~other.words.1, ~other.words.2, ~other.words.3)
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    mutating func insert(_ range: ClosedRange<UInt8>) {
        for byte in range { insert(byte) }
    }

    mutating func formUnion(_ other: ByteClass) {
        words = (
            words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3
        )
    }

    func union(_ other: ByteClass) -> ByteClass {
        var result = self
        result.formUnion(other)
        return result
    }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    func intersects(_ other: ByteClass) -> Bool {
        words.0 & other.words.0 != 0 || words.1 & other.words.1 != 0 || words.2 & other.words.2 != 0
            || words.3 & other.words.3 != 0
    }

    var isEmpty: Bool { !intersects(.all) }

    static func == (lhs: ByteClass, rhs: ByteClass) -> Bool {
        lhs.words == rhs.words
    }
}
