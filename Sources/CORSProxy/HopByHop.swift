import HTTPTypes
import NIOHTTP1

/// Header fields that describe one connection, not the message, and so never cross a proxy
/// (RFC 9110 §7.6.1): `Connection` and every name it lists, `Keep-Alive`, `TE`, `Trailer`,
/// `Transfer-Encoding`, `Upgrade`, and `Proxy-*`.
enum HopByHop {
    static let names: Set<String> = ["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"]

    /// The lower-cased names listed in `Connection` fields.
    static func listedInConnection<S: Sequence>(_ values: S) -> Set<String> where S.Element == String {
        var listed: Set<String> = []
        for value in values {
            for token in value.split(separator: ",") {
                let name = token.trimmingASCIISpaces().lowercased()
                if !name.isEmpty { listed.insert(name) }
            }
        }
        return listed
    }

    static func isHopByHop(_ lowercasedName: String, listed: Set<String>) -> Bool {
        names.contains(lowercasedName) || lowercasedName.hasPrefix("proxy-") || listed.contains(lowercasedName)
    }

    /// A request's end-to-end fields for the upstream, less `Host`, `Content-Length` (the body
    /// carries its own length) and `dropping` (lower-case names).
    static func forwardableRequestFields(_ fields: HTTPFields, dropping: Set<String> = []) -> HTTPHeaders {
        let listed = listedInConnection(fields[values: .connection])
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count + 3)
        for field in fields {
            let name = field.name.canonicalName
            if isHopByHop(name, listed: listed) || name == "host" || name == "content-length" || dropping.contains(name)
            {
                continue
            }
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    /// The same for a request that arrived as NIO `HTTPHeaders` (the gateway's event-loop path).
    static func forwardableRequestHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        let listed = listedInConnection(headers["connection"])
        var forwarded = HTTPHeaders()
        forwarded.reserveCapacity(headers.count + 3)
        for (name, value) in headers {
            let lowercased = name.lowercased()
            if isHopByHop(lowercased, listed: listed) || lowercased == "host" || lowercased == "content-length" {
                continue
            }
            forwarded.add(name: name, value: value)
        }
        return forwarded
    }

    /// An upstream response's end-to-end fields, kept as NIO `HTTPHeaders` for a NIO server.
    static func forwardableResponseHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        let listed = listedInConnection(headers["connection"])
        var forwarded = HTTPHeaders()
        forwarded.reserveCapacity(headers.count + 4)
        for (name, value) in headers where !isHopByHop(name.lowercased(), listed: listed) {
            forwarded.add(name: name, value: value)
        }
        return forwarded
    }

    /// An upstream response's end-to-end fields, less `dropping` (lower-case names) and every
    /// `Access-Control-*` field when `dropCORS` is set.
    static func forwardableResponseFields(_ headers: HTTPHeaders, dropping: Set<String> = []) -> HTTPFields {
        let listed = listedInConnection(headers["connection"])
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            let lowercased = name.lowercased()
            if isHopByHop(lowercased, listed: listed) || dropping.contains(lowercased) { continue }
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}

extension Substring {
    func trimmingASCIISpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}

/// The client's address first, then the proxy's own hop appended to `X-Forwarded-For`.
enum ForwardedFields {
    static func add(to headers: inout HTTPHeaders, clientAddress: String?, originalHost: String?) {
        if let clientAddress {
            let existing = headers["x-forwarded-for"].joined(separator: ", ")
            headers.replaceOrAdd(
                name: "X-Forwarded-For", value: existing.isEmpty ? clientAddress : "\(existing), \(clientAddress)")
        }
        if headers["x-forwarded-proto"].isEmpty { headers.add(name: "X-Forwarded-Proto", value: "http") }
        if let originalHost, headers["x-forwarded-host"].isEmpty {
            headers.add(name: "X-Forwarded-Host", value: originalHost)
        }
    }
}
