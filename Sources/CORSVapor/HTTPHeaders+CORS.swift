import CORS
import HTTPTypes
import Vapor

extension HTTPHeaders {
    /// Only the fields the engine reads (`Origin`, `Access-Control-Request-Method`,
    /// `Access-Control-Request-Headers`, `Access-Control-Request-Private-Network`): names are
    /// compared by length, then byte by byte ignoring ASCII case, so nothing is allocated for a
    /// request without them.
    var corsRequestFields: HTTPFields {
        var fields = HTTPFields()
        for (name, value) in self {
            let fieldName: HTTPField.Name
            switch name.utf8.count {
            case 6:
                guard ASCIIName.equalsIgnoringCase(name, "origin") else { continue }
                fieldName = .origin
            case 29:
                guard ASCIIName.equalsIgnoringCase(name, "access-control-request-method") else { continue }
                fieldName = .accessControlRequestMethod
            case 30:
                guard ASCIIName.equalsIgnoringCase(name, "access-control-request-headers") else { continue }
                fieldName = .accessControlRequestHeaders
            case 38:
                guard ASCIIName.equalsIgnoringCase(name, "access-control-request-private-network") else { continue }
                fieldName = .accessControlRequestPrivateNetwork
            default:
                continue
            }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    /// `Upgrade: websocket` (the token, case-insensitively, possibly among others).
    var isWebSocketUpgrade: Bool {
        for (name, value) in self where ASCIIName.equalsIgnoringCase(name, "upgrade") {
            for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                if ASCIIName.equalsIgnoringCase(ASCIIName.trimmed(token), "websocket") { return true }
            }
        }
        return false
    }

    /// Lets `decision` replace the `Access-Control-*` fields and merge `Vary`, converting only those
    /// fields (none, when the handler set none of them).
    mutating func apply(_ decision: CORSDecision) {
        var owned = HTTPFields()
        var hasOwned = false
        for (name, value) in self where Self.isCORSOwned(name) {
            hasOwned = true
            if let fieldName = HTTPField.Name(name) { owned.append(HTTPField(name: fieldName, value: value)) }
        }
        decision.apply(to: &owned)
        if hasOwned { self = HTTPHeaders(self.filter { !Self.isCORSOwned($0.name) }) }
        for field in owned { add(name: field.name.rawName, value: field.value) }
    }

    private static func isCORSOwned(_ name: String) -> Bool {
        let count = name.utf8.count
        if count == 4 { return ASCIIName.equalsIgnoringCase(name, "vary") }
        return count > 15 && ASCIIName.hasPrefixIgnoringCase(name, "access-control-")
    }
}

/// Allocation-free ASCII case-insensitive comparisons (`lowered` is lower case).
enum ASCIIName {
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    static func equalsIgnoringCase<C: Collection<UInt8>>(_ value: C, _ lowered: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowered.utf8Start, count: lowered.utf8CodeUnitCount)
        guard value.count == expected.count else { return false }
        return zip(value, expected).allSatisfy { lower($0) == $1 }
    }

    static func equalsIgnoringCase(_ value: String, _ lowered: StaticString) -> Bool {
        equalsIgnoringCase(value.utf8, lowered)
    }

    static func hasPrefixIgnoringCase(_ value: String, _ lowered: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowered.utf8Start, count: lowered.utf8CodeUnitCount)
        guard value.utf8.count >= expected.count else { return false }
        return zip(value.utf8, expected).allSatisfy { lower($0) == $1 }
    }

    /// `bytes` without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        var result = bytes
        while let first = result.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            result = result.dropFirst()
        }
        while let last = result.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            result = result.dropLast()
        }
        return result
    }
}
