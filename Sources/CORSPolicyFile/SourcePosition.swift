/// A place in a policy file: 1-based line and column (columns count Unicode scalars).
struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    var line: Int
    var column: Int

    var description: String { "line \(line), column \(column)" }
}

/// Turns UTF-8 byte offsets into line and column numbers.
struct LineIndex {
    private let bytes: [UInt8]
    /// Byte offset at which each line starts.
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    func position(ofByte offset: Int) -> SourcePosition {
        let offset = min(max(offset, 0), bytes.count)
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
        return SourcePosition(line: low + 1, column: column)
    }
}
