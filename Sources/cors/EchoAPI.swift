import Foundation
import HTTPTypes

/// The built-in echo API of `cors serve`: any method and path → 200 with a JSON description of the
/// request. `?status=N` sets the status; `?set=Name:Value` (repeatable) adds a response header.
/// Framework-neutral so every adapter serves the same thing.
enum EchoAPI {
    struct Reply {
        var status: HTTPResponse.Status
        var headerFields: HTTPFields
        /// What to write after the head: nothing for HEAD, 204 and 304 (RFC 9110 §6.4.1).
        var body: String
        /// The `Content-Length` to declare: nil for 204 and 304, which carry none.
        var contentLength: Int?
        /// Answer with `Connection: close` and close once written.
        var closesConnection = false

        init(status: HTTPResponse.Status, headerFields: HTTPFields, body: String, method: String) {
            self.status = status
            self.headerFields = headerFields
            let hasNoContent = status.code == 204 || status.code == 304
            self.contentLength = hasNoContent ? nil : body.utf8.count
            self.body = hasNoContent || method == "HEAD" ? "" : body
        }
    }

    static func reply(method: String, target: String, headerFields: HTTPFields) -> Reply {
        // A tunnel request: the echo API is no proxy, and after it the framing is the client's guess.
        if method == "CONNECT" {
            var fields = HTTPFields()
            fields[.contentType] = "application/json; charset=utf-8"
            fields[.allow] = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
            var reply = Reply(
                status: .methodNotAllowed, headerFields: fields,
                body: json(["error": "the echo API does not tunnel: CONNECT is not allowed"]), method: method)
            reply.closesConnection = true
            return reply
        }
        let (path, query) = split(target)
        var status = HTTPResponse.Status.ok
        var extra = HTTPFields()
        for (name, value) in QueryString.parse(query) {
            switch name {
            case "status":
                guard let code = Int(value), (200...599).contains(code) else {
                    return failure("status must be a number from 200 to 599, not '\(value)'", method: method)
                }
                status = HTTPResponse.Status(code: code)
            case "set":
                guard let colon = value.firstIndex(of: ":"),
                    let fieldName = HTTPField.Name(String(value[..<colon]).trimmingCharacters(in: .whitespaces))
                else {
                    return failure("set must be 'Name:Value' with a valid header name, not '\(value)'", method: method)
                }
                let fieldValue = String(value[value.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                guard HTTPField.isValidValue(fieldValue) else {
                    return failure("the value of header '\(fieldName)' has invalid characters", method: method)
                }
                extra.append(HTTPField(name: fieldName, value: fieldValue))
            default:
                continue
            }
        }
        var headers: [String: String] = [:]
        for field in headerFields {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let description: [String: Any] = ["method": method, "path": path, "query": query, "headers": headers]
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields.append(contentsOf: extra)
        return Reply(status: status, headerFields: fields, body: json(description), method: method)
    }

    private static func failure(_ message: String, method: String) -> Reply {
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        return Reply(status: .badRequest, headerFields: fields, body: json(["error": message]), method: method)
    }

    private static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    private static func json(_ object: [String: Any]) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// `application/x-www-form-urlencoded` query parsing (`+` is a space, `%XX` a byte).
enum QueryString {
    static func parse(_ query: String) -> [(name: String, value: String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ component: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(component.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(
                        String(decoding: [high, low], as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                } else {
                    bytes.append(byte)
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
