/// How outside bytes are quoted in a message: printable ASCII only, at most a bounded number of
/// bytes, so a log line or a lint report can't be forged, flooded or turned into terminal codes.
package enum BoundedExcerpt {
    package static let defaultLimit = 128

    /// `value` with control and non-ASCII bytes (and, for logs, `\` and `'`) as `\xNN`, cut after
    /// `limit` bytes with `...` and the full length.
    package static func escaped(_ value: Substring, limit: Int = defaultLimit, forLog: Bool = true) -> String {
        var result = ""
        var written = 0
        for byte in value.utf8 {
            if written >= limit {
                result += "... (\(value.utf8.count) bytes)"
                break
            }
            if byte >= 0x20, byte < 0x7F, !forLog || (byte != UInt8(ascii: "\\") && byte != UInt8(ascii: "'")) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
            written += 1
        }
        return result
    }

    /// `'value'` for a report a person reads (`\` kept: regexes stay legible), bounded.
    package static func quoted(_ value: String, limit: Int = defaultLimit) -> String {
        "'" + escaped(value[...], limit: limit, forLog: false) + "'"
    }
}

/// A configuration value quoted for a problem report: ``BoundedExcerpt/quoted(_:limit:)``.
func quoted(_ value: some StringProtocol) -> String {
    BoundedExcerpt.quoted(String(value))
}
