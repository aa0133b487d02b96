import CORSSyntax

/// The part of "parse a MIME type" (https://mimesniff.spec.whatwg.org/#parse-a-mime-type) that
/// the `Content-Type` safelisting needs: the essence. Parameters never make parsing fail, so
/// `text/plain;garbage` has the essence `text/plain`.
enum MIMEType {
    /// `type/subtype`, ASCII-lowercased, or `nil` when `value` is not a MIME type.
    static func essence(of value: [UInt8]) -> String? {
        guard let start = value.firstIndex(where: { !HTTPSyntax.isWhitespace($0) }),
            let end = value.lastIndex(where: { !HTTPSyntax.isWhitespace($0) })
        else { return nil }
        let input = value[start...end]
        guard let slash = input.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let type = input[..<slash]
        var subtype = input[(slash + 1)...]
        if let semicolon = subtype.firstIndex(of: UInt8(ascii: ";")) {
            subtype = subtype[..<semicolon]
        }
        while let last = subtype.last, HTTPSyntax.isWhitespace(last) {
            subtype = subtype.dropLast()
        }
        guard HTTPSyntax.isToken(type), HTTPSyntax.isToken(subtype) else { return nil }
        return String(
            decoding: type.map(HTTPSyntax.lowercased) + [UInt8(ascii: "/")] + subtype.map(HTTPSyntax.lowercased),
            as: UTF8.self)
    }
}
