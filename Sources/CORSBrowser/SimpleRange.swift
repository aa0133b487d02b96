import CORSSyntax

/// The `Range` values that are CORS-safelisted: a single `bytes=N-` or `bytes=N-M` with `N ≤ M`
/// and no whitespace (https://fetch.spec.whatwg.org/#simple-range-header-value, parsed with
/// allowWhitespace false; `bytes=-N` suffix ranges are not safelisted). Chromium lowercases the
/// value first, so `Bytes=0-1` is accepted.
enum SimpleRange {
    static func isSimple(_ value: [UInt8]) -> Bool {
        let lower = value.map(HTTPSyntax.lowercased)
        let prefix = Array("bytes=".utf8)
        guard lower.starts(with: prefix) else { return false }
        let rest = lower.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: UInt8(ascii: "-")) else { return false }
        let start = rest[..<dash]
        let end = rest[(dash + 1)...]
        guard !start.isEmpty, start.allSatisfy(isDigit), end.allSatisfy(isDigit) else { return false }
        if end.isEmpty { return true }
        return compare(Array(start), Array(end)) <= 0
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Compares two decimal digit strings of any length numerically.
    private static func compare(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        let left = lhs.drop(while: { $0 == UInt8(ascii: "0") })
        let right = rhs.drop(while: { $0 == UInt8(ascii: "0") })
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        for (l, r) in zip(left, right) where l != r {
            return l < r ? -1 : 1
        }
        return 0
    }
}
