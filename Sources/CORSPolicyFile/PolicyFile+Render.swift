#if PolicyFile
public import CORS

extension PolicyFile {
    /// `configuration` as a policy file: pretty-printed JSON with the file's keys, in the order of
    /// ``PolicyFile``'s example, ending with a newline. ``parse(_:format:)`` reads it back as the same
    /// configuration.
    ///
    /// Every top-level key is written (with its default when not changed) but `maxAge` when it is `nil`
    /// and `caseInsensitivePaths` when it is `false`; routes list only the keys they override.
    /// `originPredicate` is code and cannot be written.
    public static func render(_ configuration: CORSConfiguration) -> String {
        var members: [(String, String)] = [
            ("origins", strings(configuration.origins, indent: 1)),
            ("allowNullOrigin", "\(configuration.allowNullOrigin)"),
            ("methods", strings(configuration.methods, indent: 1)),
            ("allowedHeaders", strings(configuration.allowedHeaders, indent: 1)),
            ("exposedHeaders", strings(configuration.exposedHeaders, indent: 1)),
            ("credentials", "\(configuration.credentials)"),
        ]
        if let maxAge = configuration.maxAge { members.append(("maxAge", "\(maxAge)")) }
        members += [
            ("privateNetwork", "\(configuration.privateNetwork)"),
            ("preflightContinue", "\(configuration.preflightContinue)"),
            ("optionsSuccessStatus", "\(configuration.optionsSuccessStatus)"),
            ("debug", "\(configuration.debug)"),
        ]
        if configuration.caseInsensitivePaths { members.append(("caseInsensitivePaths", "true")) }
        let routes = configuration.routes.map { route(in: $0) }
        members.append(("routes", routes.isEmpty ? "[]" : "[\n" + routes.joined(separator: ",\n") + "\n  ]"))
        return object(members, indent: 0) + "\n"
    }

    private static func route(in route: CORSRouteConfiguration) -> String {
        var members: [(String, String)] = [("path", quoted(route.path))]
        func add(_ key: String, _ value: String?) {
            if let value { members.append((key, value)) }
        }
        add("origins", route.origins.map { strings($0, indent: 3) })
        add("allowNullOrigin", route.allowNullOrigin.map { "\($0)" })
        add("methods", route.methods.map { strings($0, indent: 3) })
        add("allowedHeaders", route.allowedHeaders.map { strings($0, indent: 3) })
        add("exposedHeaders", route.exposedHeaders.map { strings($0, indent: 3) })
        add("credentials", route.credentials.map { "\($0)" })
        add("maxAge", route.maxAge.map { "\($0)" })
        add("privateNetwork", route.privateNetwork.map { "\($0)" })
        add("preflightContinue", route.preflightContinue.map { "\($0)" })
        add("optionsSuccessStatus", route.optionsSuccessStatus.map { "\($0)" })
        add("debug", route.debug.map { "\($0)" })
        return indentation(2) + object(members, indent: 2)
    }

    /// `{` members `}`, one per line, with the closing brace at `indent` levels of two spaces.
    private static func object(_ members: [(String, String)], indent: Int) -> String {
        let lines = members.map { indentation(indent + 1) + quoted($0.0) + ": " + $0.1 }
        return "{\n" + lines.joined(separator: ",\n") + "\n" + indentation(indent) + "}"
    }

    /// On one line when short, else one string per line at `indent` levels.
    private static func strings(_ strings: [String], indent: Int) -> String {
        let items = strings.map(quoted)
        let inline = "[" + items.joined(separator: ", ") + "]"
        if inline.count + indent * 2 <= 90 { return inline }
        let lines = items.map { indentation(indent + 1) + $0 }
        return "[\n" + lines.joined(separator: ",\n") + "\n" + indentation(indent) + "]"
    }

    private static func indentation(_ level: Int) -> String { String(repeating: "  ", count: level) }

    /// A JSON string literal ([RFC 8259 §7](https://www.rfc-editor.org/rfc/rfc8259#section-7)).
    private static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
#endif
