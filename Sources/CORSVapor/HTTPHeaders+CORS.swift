import CORS
import HTTPTypes
import Vapor

extension HTTPHeaders {
    /// Only the fields the engine reads (`Origin`, `Access-Control-Request-*`): nothing is copied
    /// for a request without them.
    var corsRequestFields: HTTPFields {
        var fields = HTTPFields()
        for (name, value) in self {
            if name.utf8.count == 6, name.lowercased() == "origin" {
                fields.append(HTTPField(name: .origin, value: value))
            } else if name.utf8.count > 23, name.lowercased().hasPrefix("access-control-request-"),
                let fieldName = HTTPField.Name(name)
            {
                fields.append(HTTPField(name: fieldName, value: value))
            }
        }
        return fields
    }

    /// `Upgrade: websocket` (the token, case-insensitively, possibly among others).
    var isWebSocketUpgrade: Bool {
        self[.upgrade].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "websocket" }
        }
    }

    /// Lets `decision` replace the `Access-Control-*` fields and merge `Vary`, converting only those fields.
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
        guard count == 4 || count > 15 else { return false }
        let lowered = name.lowercased()
        return lowered == "vary" || lowered.hasPrefix("access-control-")
    }
}
