#if NIO
package import CORS
package import HTTPTypes
package import NIOHTTP1

// Shared by the NIO and Vapor adapters (Vapor's `HTTPHeaders` is NIO's).
extension HTTPHeaders {
    /// Only the fields the engine reads (`Origin`, `Access-Control-Request-Method`,
    /// `Access-Control-Request-Headers`, `Access-Control-Request-Private-Network`): names are
    /// compared by length, then byte by byte ignoring ASCII case, so nothing is allocated for a
    /// request without them.
    package var corsRequestFields: HTTPFields {
        var fields = HTTPFields()
        for (name, value) in self {
            let fieldName: HTTPField.Name
            switch name.utf8.count {
            case 6:
                guard ASCII.equalsIgnoringCase(name, "origin") else { continue }
                fieldName = .origin
            case 29:
                guard ASCII.equalsIgnoringCase(name, "access-control-request-method") else { continue }
                fieldName = .accessControlRequestMethod
            case 30:
                guard ASCII.equalsIgnoringCase(name, "access-control-request-headers") else { continue }
                fieldName = .accessControlRequestHeaders
            case 38:
                guard ASCII.equalsIgnoringCase(name, "access-control-request-private-network") else { continue }
                fieldName = .accessControlRequestPrivateNetwork
            default:
                continue
            }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    /// `Upgrade: websocket` (the token, case-insensitively, possibly among others).
    package var isWebSocketUpgrade: Bool {
        for (name, value) in self where ASCII.equalsIgnoringCase(name, "upgrade") {
            for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                let trimmed = token.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                if ASCII.equalsIgnoringCase(Substring(trimmed).trimmingTrailingSpaces, "websocket") { return true }
            }
        }
        return false
    }

    /// Lets `decision` replace the `Access-Control-*` fields and merge `Vary`, converting only those
    /// fields (none, when the handler set none of them).
    package mutating func apply(_ decision: CORSDecision) {
        // The usual answer has none of those fields: the decision's go straight in, no
        // `HTTPFields` is built (two allocations per response less).
        if !contains(where: { Self.isCORSOwned($0.name) }) {
            decision.forEachField { add(name: $0.name.rawName, value: $0.value) }
            return
        }
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

    static func isCORSOwned(_ name: String) -> Bool {
        let count = name.utf8.count
        if count == 4 { return ASCII.equalsIgnoringCase(name, "vary") }
        return count > 15 && ASCII.hasPrefixIgnoringCase(name, "access-control-")
    }
}

extension Substring {
    fileprivate var trimmingTrailingSpaces: Substring {
        var result = self
        while let last = result.utf8.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
            result = result.dropLast()
        }
        return result
    }
}

/// Allocation-free ASCII case-insensitive comparisons (`lowered` is lower case); also used by the
/// gateway's header filtering.
package enum ASCII {
    @inlinable
    package static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Inlinable so that callers in other modules get it specialised (the generic body does a
    /// metadata lookup per call).
    @inlinable
    package static func equalsIgnoringCase<S: StringProtocol>(_ value: S, _ lowered: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowered.utf8Start, count: lowered.utf8CodeUnitCount)
        guard value.utf8.count == expected.count else { return false }
        return zip(value.utf8, expected).allSatisfy { lower($0) == $1 }
    }

    /// The `String` case, non-generic so that it costs a length check for most names (the
    /// generic one is not specialised across modules and showed up in the gateway's profile).
    package static func equalsIgnoringCase(_ value: String, _ lowered: StaticString) -> Bool {
        value.utf8.count == lowered.utf8CodeUnitCount && startsIgnoringCase(value, lowered)
    }

    /// The `Substring` case, non-generic for the same reason (the proxy parses URL schemes with it).
    package static func equalsIgnoringCase(_ value: Substring, _ lowered: StaticString) -> Bool {
        guard value.utf8.count == lowered.utf8CodeUnitCount else { return false }
        let expected = UnsafeBufferPointer(start: lowered.utf8Start, count: lowered.utf8CodeUnitCount)
        var index = 0
        for byte in value.utf8 {
            if lower(byte) != expected[index] { return false }
            index += 1
        }
        return true
    }

    /// Two names that may both be of any case. Labelled, not an overload: a string literal
    /// argument would pick `(String, String)` over `(String, StaticString)` (String is the
    /// literals' default type), sending every `equalsIgnoringCase(name, "te")` down this slower path.
    package static func equalsIgnoringCase(_ first: String, anyCase second: String) -> Bool {
        guard first.utf8.count == second.utf8.count else { return false }
        // Native strings are contiguous: two plain loops' worth, no zipped view iteration.
        let contiguous = first.utf8.withContiguousStorageIfAvailable { firstBytes in
            second.utf8.withContiguousStorageIfAvailable { secondBytes in
                for index in firstBytes.indices where lower(firstBytes[index]) != lower(secondBytes[index]) {
                    return false
                }
                return true
            }
        }
        if let contiguous, let result = contiguous { return result }
        return zip(first.utf8, second.utf8).allSatisfy { lower($0) == lower($1) }
    }

    package static func hasPrefixIgnoringCase(_ value: String, _ lowered: StaticString) -> Bool {
        value.utf8.count >= lowered.utf8CodeUnitCount && startsIgnoringCase(value, lowered)
    }

    /// Whether `value` starts with `lowered`, ignoring ASCII case; `value` is at least as long.
    private static func startsIgnoringCase(_ value: String, _ lowered: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: lowered.utf8Start, count: lowered.utf8CodeUnitCount)
        // Native strings are contiguous: a plain loop over their bytes, no view iteration.
        if let result = value.utf8.withContiguousStorageIfAvailable({ bytes in
            for index in expected.indices where lower(bytes[index]) != expected[index] { return false }
            return true
        }) {
            return result
        }
        var index = 0
        for byte in value.utf8 {
            if index == expected.count { return true }
            if lower(byte) != expected[index] { return false }
            index += 1
        }
        return index == expected.count
    }
}
#endif
