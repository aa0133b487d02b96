import CORSSyntax

/// One header the page sets on its request, as given to `fetch()` (name and value unchanged).
public struct RequestHeader: Sendable, Hashable {
    /// The header name as the page wrote it.
    public var name: String
    /// The header value as the page wrote it.
    public var value: String

    /// Creates a header.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The name, ASCII-lowercased (Fetch compares header names byte-case-insensitively).
    public var lowercasedName: String { HTTPSyntax.lowercased(name) }

    /// The value as a byte string: one byte per code point (`fetch()` converts header values
    /// with ByteString rules; a code point above U+00FF is a `TypeError`).
    var valueBytes: [UInt8] { value.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) } }
}
