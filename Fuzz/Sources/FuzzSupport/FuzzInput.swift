public import HTTPTypes

/// Splits one fuzz input into the parts a target needs: lines, and header fields written
/// `name: value` (a line whose name is not a token is skipped, as a server's parser would refuse it).
public struct FuzzInput {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The input as text, invalid UTF-8 replaced.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The input cut at LF, at most `limit` pieces (the last keeps the rest).
    public func lines(limit: Int = .max) -> [ArraySlice<UInt8>] {
        bytes.split(separator: UInt8(ascii: "\n"), maxSplits: max(0, limit - 1), omittingEmptySubsequences: false)
    }

    /// Header fields from `name: value` lines; values keep any byte a lenient parser lets through.
    public static func fields(from lines: some Sequence<ArraySlice<UInt8>>) -> HTTPFields {
        var fields = HTTPFields()
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            guard let fieldName = HTTPField.Name(name) else { continue }
            var value = line[line.index(after: colon)...]
            while value.first == UInt8(ascii: " ") { value = value.dropFirst() }
            fields.append(HTTPField(name: fieldName, lenientValue: value))
        }
        return fields
    }
}

extension ArraySlice<UInt8> {
    /// The bytes as text, invalid UTF-8 replaced.
    public var text: String { String(decoding: self, as: UTF8.self) }
}
