import HTTPTypes

/// Reads `Access-Control-Request-Headers` with bounded work and no allocation.
///
/// Browsers send the names lowercased, sorted and joined by `,` (one line). Other clients send
/// spaces, empty items, mixed case and several lines, so those are accepted; but the work is
/// bounded: a long or comma-stuffed value is refused before it is read.
/// https://fetch.spec.whatwg.org/#cors-preflight-fetch
enum RequestHeaderScan {
    /// Longer values (all lines together) are refused unread.
    static let maximumLength = 4096
    /// More empty items than this are refused (jub0bs/cors uses the same bound).
    static let maximumEmptyItems = 16

    enum Outcome {
        case absent
        case allowed
        case refused(CORSRejection)
    }

    static func scan(_ fields: HTTPFields, against rule: HeaderRule) -> Outcome {
        var totalLength = 0
        var sawAny = false
        for field in fields where field.name == .accessControlRequestHeaders {
            totalLength += field.value.utf8.count
            if totalLength > maximumLength {
                return .refused(CORSRejection(.requestHeadersTooLong, value: field.value[...]))
            }
            sawAny = true
        }
        guard sawAny else { return .absent }

        var emptyItems = 0
        var sawName = false
        for field in fields where field.name == .accessControlRequestHeaders {
            let value = field.value
            let utf8 = value.utf8
            var itemStart = utf8.startIndex
            while true {
                let itemEnd = utf8[itemStart...].firstIndex(of: UInt8(ascii: ",")) ?? utf8.endIndex
                var nameStart = itemStart
                var nameEnd = itemEnd
                while nameStart < nameEnd, isOptionalWhitespace(utf8[nameStart]) {
                    nameStart = utf8.index(after: nameStart)
                }
                while nameEnd > nameStart, isOptionalWhitespace(utf8[utf8.index(before: nameEnd)]) {
                    nameEnd = utf8.index(before: nameEnd)
                }
                if nameStart == nameEnd {
                    emptyItems += 1
                    if emptyItems > maximumEmptyItems {
                        return .refused(CORSRejection(.tooManyEmptyRequestHeaderItems, value: value[...]))
                    }
                } else {
                    let name = Substring(utf8[nameStart..<nameEnd])
                    if !name.utf8.allSatisfy(HTTPToken.isTokenByte) {
                        return .refused(CORSRejection(.malformedRequestHeaders, value: name))
                    }
                    if let reason = rule.refusal(of: name.utf8) {
                        return .refused(CORSRejection(reason, value: name))
                    }
                    sawName = true
                }
                if itemEnd == utf8.endIndex { break }
                itemStart = utf8.index(after: itemEnd)
            }
        }
        return sawName ? .allowed : .absent
    }

    @inline(__always)
    private static func isOptionalWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
