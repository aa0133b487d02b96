#if PolicyFile
/// A place in a policy file: 1-based line and column (columns count Unicode scalars).
struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "line \(line), column \(column)" }
}

/// Turns UTF-8 byte offsets into line and column numbers.
///
/// A reader asks for positions in increasing order, so the last answer is kept and the next
/// column counted on from it: a whole document on one line costs linear time, not quadratic.
struct LineIndex {
    private let bytes: [UInt8]
    /// Byte offset at which each line starts.
    private let lineStarts: [Int]
    private var last = (offset: 0, position: SourcePosition(line: 1, column: 1))

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    mutating func position(ofByte offset: Int) -> SourcePosition {
        let offset = min(max(offset, 0), bytes.count)
        let lastLineEnd = last.position.line < lineStarts.count ? lineStarts[last.position.line] : Int.max
        if offset >= last.offset, offset < lastLineEnd {
            let column = last.position.column + bytes[last.offset..<offset].count { $0 & 0xC0 != 0x80 }
            last = (offset, SourcePosition(line: last.position.line, column: column))
            return last.position
        }
        // The last line start not after `offset`.
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let start = lineStarts[low]
        // Count scalars, not bytes: skip UTF-8 continuation bytes (0b10xx_xxxx).
        let column = bytes[start..<offset].count { $0 & 0xC0 != 0x80 } + 1
        last = (offset, SourcePosition(line: low + 1, column: column))
        return last.position
    }
}
#endif
