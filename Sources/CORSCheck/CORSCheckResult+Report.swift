#if Tools
import CORSBrowser
import HTTPTypes

extension CORSCheckResult {
    /// The one JSON object `cors check --json` prints:
    /// `{"allowed", "preflight", "reason", "failedParameter", "message", "fix", "exposedHeaders",
    /// "warnings", "finalURL", "redirects", "exchanges", "serverFix"}`.
    public var json: JSONValue {
        .object([
            ("allowed", .bool(verdict.allowed)),
            ("preflight", preflightJSON),
            ("reason", .string(verdict.reason?.rawValue)),
            ("failedParameter", .string(verdict.reason == nil ? nil : verdict.failedParameter)),
            ("message", .string(verdict.message)),
            ("fix", .string(verdict.fix)),
            ("exposedHeaders", .array(verdict.exposedHeaders.map { .string($0) })),
            ("warnings", .array(verdict.warnings.map { .string($0) })),
            ("finalURL", .string(verdict.finalURL)),
            ("redirects", .array(verdict.redirects.map { .string($0) })),
            ("exchanges", .array(exchanges.map(\.json))),
            ("serverFix", serverFix?.json ?? .null),
        ])
    }

    private var preflightJSON: JSONValue {
        guard let preflight = verdict.preflight else { return .null }
        let result = preflight.result
        return .object([
            ("url", .string(preflight.request.url)),
            ("origin", .string(preflight.request.origin)),
            ("requestMethod", .string(preflight.request.requestMethod)),
            ("requestHeaders", .string(preflight.request.requestHeaders)),
            ("status", .number(preflight.status)),
            ("passed", .bool(result != nil)),
            ("allowMethods", result.map { .array($0.allowMethods.map { .string($0) }) } ?? .null),
            ("allowHeaders", result.map { .array($0.allowHeaders.map { .string($0) }) } ?? .null),
            ("maxAge", .string(result?.maxAge)),
            (
                "cacheLifetimes",
                result.map {
                    .object([
                        ("chromium", .number($0.cacheLifetimes.chromium)),
                        ("firefox", .number($0.cacheLifetimes.firefox)),
                        ("webkit", .number($0.cacheLifetimes.webKit)),
                    ])
                } ?? .null
            ),
        ])
    }

    /// The human report: each exchange like `curl -v`, the verdict, Chromium's console line, the
    /// fix with snippets, and the warnings.
    public var report: String {
        var lines: [String] = []
        for exchange in exchanges {
            lines += exchange.curlLines
            lines.append("")
        }
        if verdict.allowed {
            let summary =
                verdict.message.hasPrefix("Allowed: ") ? String(verdict.message.dropFirst(9)) : verdict.message
            lines.append("ALLOWED: \(summary)")
            if !verdict.exposedHeaders.isEmpty {
                lines.append("Readable response headers: \(verdict.exposedHeaders.joined(separator: ", "))")
            }
        } else {
            var headline = "BLOCKED"
            if let reason = verdict.reason {
                headline += ": \(reason.rawValue)"
                if let parameter = verdict.failedParameter, !parameter.isEmpty { headline += " (\(parameter))" }
            }
            lines.append(headline)
            lines.append("Chromium says: \(verdict.message)")
            if !verdict.fix.isEmpty { lines.append("Fix: \(verdict.fix)") }
            if let serverFix { lines += serverFix.reportLines }
        }
        for warning in verdict.warnings {
            lines.append("warning: \(warning)")
        }
        return lines.joined(separator: "\n")
    }
}

extension RecordedExchange {
    /// Request and response headers that matter to CORS, curl style.
    var curlLines: [String] {
        var lines: [String] = []
        let target = BrowserURL(url)
        let path = (target?.path ?? "/") + (target?.query.map { "?\($0)" } ?? "")
        lines.append("> \(method) \(path) HTTP/1.1" + (kind == .preflight ? "    (preflight)" : ""))
        if let target { lines.append("> Host: \(target.host)" + (target.port.map { ":\($0)" } ?? "")) }
        for field in requestHeaderFields {
            lines.append("> \(field.name.rawName): \(field.value)")
        }
        lines.append(">")
        let reason = response.reasonPhrase.isEmpty ? "" : " \(response.reasonPhrase)"
        lines.append("< \(response.version) \(response.status)\(reason)")
        var others = 0
        for field in response.headerFields {
            if Self.mattersToCORS(field.name) {
                lines.append("< \(field.name.rawName): \(field.value)")
            } else {
                others += 1
            }
        }
        if others > 0 { lines.append("< (\(others) other header\(others == 1 ? "" : "s") not related to CORS)") }
        lines.append("<")
        return lines
    }

    static func mattersToCORS(_ name: HTTPField.Name) -> Bool {
        let canonical = name.canonicalName
        return canonical.hasPrefix("access-control-") || canonical == "vary" || canonical == "location"
    }

    var json: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)),
            ("method", .string(method)),
            ("url", .string(url)),
            ("requestHeaders", Self.json(requestHeaderFields)),
            ("status", .number(response.status)),
            ("responseHeaders", Self.json(response.headerFields)),
        ])
    }

    static func json(_ fields: HTTPFields) -> JSONValue {
        .array(fields.map { .object([("name", .string($0.name.rawName)), ("value", .string($0.value))]) })
    }
}

extension ServerFix {
    var reportLines: [String] {
        var lines: [String] = []
        if let note { lines.append(note) }
        if preflight {
            lines.append("The preflight (OPTIONS) response must be 2xx and carry:")
            lines += preflightResponseFields.map { "    \($0.name.rawName): \($0.value)" }
            lines.append("The actual response must carry:")
        } else {
            lines.append("The response must carry:")
        }
        lines += responseFields.map { "    \($0.name.rawName): \($0.value)" }
        for snippet in snippets {
            lines.append("")
            lines.append("\(snippet.title):")
            lines += snippet.code.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }
        }
        return lines
    }

    var json: JSONValue {
        .object([
            ("origin", .string(origin)),
            ("credentials", .bool(credentials)),
            ("method", .string(method)),
            ("allowedHeaders", .array(allowedHeaders.map { .string($0) })),
            ("preflightResponseHeaders", RecordedExchange.json(preflightResponseFields)),
            ("responseHeaders", RecordedExchange.json(responseFields)),
            ("note", .string(note)),
            ("snippets", .object(snippets.map { ($0.key, .string($0.code)) })),
        ])
    }
}
#endif
