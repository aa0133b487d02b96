import CORSSyntax
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

    static func scan(_ fields: HTTPFields, _ request: CORSRequestFields, against rule: HeaderRule) -> Outcome {
        guard request.requestHeadersCount > 0 else { return .absent }
        let first = request.firstRequestHeadersIndex
        var totalLength = 0
        for index in first..<fields.endIndex where CORSRequestFields.isRequestHeaders(fields, at: index) {
            let value = fields[index].value
            totalLength += value.utf8.count
            if totalLength > maximumLength {
                return .refused(CORSRejection(.requestHeadersTooLong, value: value[...]))
            }
        }

        var emptyItems = 0
        var sawName = false
        for index in first..<fields.endIndex where CORSRequestFields.isRequestHeaders(fields, at: index) {
            let value = fields[index].value
            var contiguous = value
            let failure: (reason: CORSRejection.Reason, range: Range<Int>?)? = contiguous.withUTF8 { bytes in
                var itemStart = 0
                while true {
                    var itemEnd = itemStart
                    while itemEnd < bytes.count, bytes[itemEnd] != UInt8(ascii: ",") { itemEnd += 1 }
                    var nameStart = itemStart
                    var nameEnd = itemEnd
                    while nameStart < nameEnd, isOptionalWhitespace(bytes[nameStart]) { nameStart += 1 }
                    while nameEnd > nameStart, isOptionalWhitespace(bytes[nameEnd - 1]) { nameEnd -= 1 }
                    if nameStart == nameEnd {
                        emptyItems += 1
                        if emptyItems > maximumEmptyItems { return (.tooManyEmptyRequestHeaderItems, nil) }
                    } else {
                        let name = UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd])
                        for byte in name where !HTTPSyntax.isTokenByte(byte) {
                            return (.malformedRequestHeaders, nameStart..<nameEnd)
                        }
                        if let reason = rule.refusal(of: name) { return (reason, nameStart..<nameEnd) }
                        sawName = true
                    }
                    if itemEnd == bytes.count { return nil }
                    itemStart = itemEnd + 1
                }
            }
            if let failure {
                guard let range = failure.range else {
                    return .refused(CORSRejection(failure.reason, value: value[...]))
                }
                let utf8 = value.utf8
                let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
                let end = utf8.index(start, offsetBy: range.count)
                return .refused(CORSRejection(failure.reason, value: Substring(utf8[start..<end])))
            }
        }
        return sawName ? .allowed : .absent
    }

    @inline(__always)
    private static func isOptionalWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
