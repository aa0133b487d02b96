#if PolicyFile
import CORS

/// Maps a ``PolicyNode`` to a `CORSConfiguration` with strict typing, collecting every problem.
///
/// Nothing is converted or guessed: `"yes"` is not a boolean, `1.5` or `"600"` not an integer, a single
/// string not a list; an unknown key is an error (with the key that was probably meant), because a typo
/// in a security policy must never be silently ignored.
struct ConfigurationReader {
    private(set) var problems: [CORSConfigurationProblem] = []
    /// Names the document in problems about the whole document.
    let source: String

    /// The settings the top level and the routes share; `nil` where absent (or wrong).
    private struct Settings {
        var origins: [String]?
        var allowNullOrigin: Bool?
        var methods: [String]?
        var allowedHeaders: [String]?
        var exposedHeaders: [String]?
        var credentials: Bool?
        var maxAge: Int?
        var privateNetwork: Bool?
        var preflightContinue: Bool?
        var optionsSuccessStatus: Int?
        var debug: Bool?
        var caseInsensitivePaths: Bool?
    }

    private static let strictly =
        "values are read strictly, never converted or guessed, so a mistake cannot quietly change what the policy allows"

    init(source: String) {
        self.source = source
    }

    mutating func configuration(from root: PolicyNode) -> CORSConfiguration {
        var configuration = CORSConfiguration()
        guard case .object(let members) = root.value else {
            report(
                .wrongType,
                source,
                "the top level must be an object of settings, found \(root.found)\(at(root.position))",
                "a policy file is one object whose keys are the settings",
                #"write the settings as an object, e.g. {"origins": ["https://app.example.com"]}"#
            )
            return configuration
        }
        var settings = Settings()
        forEachKnown(members, prefix: "", allowed: PolicyKey.topLevel) { reader, key, value in
            if key == .routes {
                configuration.routes = reader.routes(value)
            } else {
                reader.read(key, value, field: key.rawValue, into: &settings)
            }
        }
        if let origins = settings.origins { configuration.origins = origins }
        if let allowNullOrigin = settings.allowNullOrigin { configuration.allowNullOrigin = allowNullOrigin }
        if let methods = settings.methods { configuration.methods = methods }
        if let allowedHeaders = settings.allowedHeaders { configuration.allowedHeaders = allowedHeaders }
        if let exposedHeaders = settings.exposedHeaders { configuration.exposedHeaders = exposedHeaders }
        if let credentials = settings.credentials { configuration.credentials = credentials }
        if let maxAge = settings.maxAge { configuration.maxAge = maxAge }
        if let privateNetwork = settings.privateNetwork { configuration.privateNetwork = privateNetwork }
        if let preflightContinue = settings.preflightContinue { configuration.preflightContinue = preflightContinue }
        if let status = settings.optionsSuccessStatus { configuration.optionsSuccessStatus = status }
        if let debug = settings.debug { configuration.debug = debug }
        if let caseInsensitive = settings.caseInsensitivePaths { configuration.caseInsensitivePaths = caseInsensitive }
        return configuration
    }

    // MARK: Objects

    private mutating func routes(_ node: PolicyNode) -> [CORSRouteConfiguration] {
        let example = #"write "routes": [{"path": "/public/**", "origins": ["*"]}]"#
        guard case .array(let elements) = node.value else {
            report(
                .wrongType,
                "routes",
                "expected an array of route objects, found \(node.found)\(at(node.position))",
                Self.strictly,
                example
            )
            return []
        }
        var routes: [CORSRouteConfiguration] = []
        for (index, element) in elements.enumerated() {
            let prefix = "routes[\(index)]"
            guard case .object(let members) = element.value else {
                report(
                    .wrongType,
                    prefix,
                    "expected a route object, found \(element.found)\(at(element.position))",
                    Self.strictly,
                    example
                )
                continue
            }
            var settings = Settings()
            var path: String?
            var hasPath = false
            forEachKnown(members, prefix: prefix + ".", allowed: PolicyKey.route) { reader, key, value in
                if key == .path {
                    hasPath = true
                    path = reader.string(
                        value, field: "\(prefix).path", fix: #"write the path in quotes, e.g. "/api/**""#)
                } else {
                    reader.read(key, value, field: "\(prefix).\(key.rawValue)", into: &settings)
                }
            }
            if !hasPath {
                report(
                    .missingRoutePath,
                    "\(prefix).path",
                    "the route has no \"path\"\(at(element.position))",
                    "a route overrides the policy for the request paths its pattern matches",
                    #"add "path": "/api/**" (`*` matches one segment, `**` any number)"#
                )
            }
            guard let path else { continue }
            routes.append(
                CORSRouteConfiguration(
                    path: path,
                    origins: settings.origins,
                    allowNullOrigin: settings.allowNullOrigin,
                    methods: settings.methods,
                    allowedHeaders: settings.allowedHeaders,
                    exposedHeaders: settings.exposedHeaders,
                    credentials: settings.credentials,
                    maxAge: settings.maxAge,
                    privateNetwork: settings.privateNetwork,
                    preflightContinue: settings.preflightContinue,
                    optionsSuccessStatus: settings.optionsSuccessStatus,
                    debug: settings.debug
                )
            )
        }
        return routes
    }

    /// The members whose keys are `allowed`, in order; reports unknown and repeated keys as they come, and
    /// calls `read` for the others, so that problems are reported in the order of the file.
    private mutating func forEachKnown(
        _ members: [PolicyNode.Member],
        prefix: String,
        allowed: [PolicyKey],
        _ read: (inout ConfigurationReader, PolicyKey, PolicyNode) -> Void
    ) {
        var seen: [String: PolicyNode.Member] = [:]
        for member in members {
            // The key is outside text: shown escaped and bounded in the field's path.
            let field = prefix + BoundedExcerpt.escaped(member.key[...], limit: 60, forLog: false)
            if let first = seen[member.key] {
                let firstAt = first.keyPosition.map { "; first at \($0)" } ?? ""
                report(
                    .duplicateKey,
                    field,
                    "the key \(PolicyNode.quoted(member.key)) appears more than once\(at(member.keyPosition, firstAt))",
                    "only one value can apply, and parsers disagree on which one wins",
                    "keep one of them"
                )
                continue
            }
            seen[member.key] = member
            guard let key = PolicyKey(rawValue: member.key), allowed.contains(key) else {
                unknown(member, field: field, allowed: allowed)
                continue
            }
            read(&self, key, member.value)
        }
    }

    private mutating func unknown(_ member: PolicyNode.Member, field: String, allowed: [PolicyKey]) {
        let why =
            "an unknown key would be ignored, so a typo could silently leave a setting at its default"
        let problem = "unknown key \(PolicyNode.quoted(member.key))\(at(member.keyPosition))"
        let isRoute = !allowed.contains(.routes)
        let fix: String
        if let suggestion = PolicyKey.suggestion(for: member.key, among: allowed) {
            fix = "did you mean \"\(suggestion.rawValue)\"?"
        } else if !isRoute, PolicyKey.normalized(member.key) == "path" {
            fix = #"a path belongs in an entry of "routes": "routes": [{"path": "/api/**", …}]"#
        } else if isRoute, PolicyKey.normalized(member.key) == "routes" {
            fix = "routes cannot be nested: list every route in the top-level \"routes\""
        } else if isRoute, PolicyKey.normalized(member.key) == "caseinsensitivepaths" {
            fix = "caseInsensitivePaths applies to every route: set it at the top level"
        } else if PolicyKey.normalized(member.key) == "originpredicate" {
            fix = "an origin predicate is code: set originPredicate in Swift, not in a policy file"
        } else {
            fix = "remove it, or use one of: " + allowed.map(\.rawValue).joined(separator: ", ")
        }
        report(.unknownKey, field, problem, why, fix)
    }

    // MARK: Values

    private mutating func read(_ key: PolicyKey, _ node: PolicyNode, field: String, into settings: inout Settings) {
        switch key {
        case .origins:
            settings.origins = strings(node, field: field, example: #"["https://app.example.com"]"#)
        case .allowNullOrigin: settings.allowNullOrigin = bool(node, field: field)
        case .methods: settings.methods = strings(node, field: field, example: #"["GET", "POST"]"#)
        case .allowedHeaders:
            settings.allowedHeaders = strings(node, field: field, example: #"["Content-Type", "Authorization"]"#)
        case .exposedHeaders:
            settings.exposedHeaders = strings(node, field: field, example: #"["X-Total-Count"]"#)
        case .credentials: settings.credentials = bool(node, field: field)
        case .maxAge: settings.maxAge = integer(node, field: field, example: "a whole number of seconds, e.g. 600")
        case .privateNetwork: settings.privateNetwork = bool(node, field: field)
        case .preflightContinue: settings.preflightContinue = bool(node, field: field)
        case .optionsSuccessStatus:
            settings.optionsSuccessStatus = integer(node, field: field, example: "a status code, 204 or 200")
        case .debug: settings.debug = bool(node, field: field)
        case .caseInsensitivePaths: settings.caseInsensitivePaths = bool(node, field: field)
        case .path, .routes: break  // read by the caller
        }
    }

    private mutating func bool(_ node: PolicyNode, field: String) -> Bool? {
        if case .bool(let value) = node.value { return value }
        let fix: String
        switch node.value {
        case .string(let text) where ["true", "false"].contains(text.lowercased()):
            fix = "remove the quotes: \(text.lowercased())"
        case .string(let text) where ["yes", "no", "on", "off", "y", "n", "1", "0"].contains(text.lowercased()):
            fix = "write true or false: \(PolicyNode.quoted(text)) is not read as a boolean"
        case .integer(0), .integer(1):
            fix = "write true or false: numbers are not read as booleans"
        case .null:
            fix = "write true or false, or remove the key to use the default"
        default:
            fix = "write true or false, without quotes"
        }
        mismatch(node, field: field, expected: "a boolean", fix: fix)
        return nil
    }

    private mutating func integer(_ node: PolicyNode, field: String, example: String) -> Int? {
        if case .integer(let value) = node.value { return value }
        let fix: String
        switch node.value {
        case .string(let text) where Int(text) != nil:
            fix = "remove the quotes: \(PolicyNode.bounded(text))"
        case .number(let text) where !text.contains(where: { ".eE".contains($0) }):
            fix = "write \(example) (\(PolicyNode.bounded(text)) is too large)"
        case .null:
            fix = "write \(example), or remove the key to use the default"
        default:
            fix = "write \(example)"
        }
        mismatch(node, field: field, expected: "an integer", fix: fix)
        return nil
    }

    private mutating func string(_ node: PolicyNode, field: String, fix: String) -> String? {
        if case .string(let value) = node.value { return value }
        mismatch(node, field: field, expected: "a string", fix: fix)
        return nil
    }

    /// An array of strings; reports each element that is not one (and returns `nil` then).
    private mutating func strings(_ node: PolicyNode, field: String, example: String) -> [String]? {
        guard case .array(let elements) = node.value else {
            let fix: String
            if case .string(let text) = node.value {
                fix = "put it in an array, even when it is the only one: [\(PolicyNode.quoted(text, limit: .max))]"
            } else if case .null = node.value {
                fix = "write an array of strings, e.g. \(example), or remove the key to use the default"
            } else {
                fix = "write an array of strings, e.g. \(example)"
            }
            mismatch(node, field: field, expected: "an array of strings", fix: fix)
            return nil
        }
        var strings: [String] = []
        var isValid = true
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element.value else {
                isValid = false
                mismatch(
                    element, field: "\(field)[\(index)]", expected: "a string",
                    fix: "write each entry in double quotes, e.g. \(example)")
                continue
            }
            strings.append(text)
        }
        return isValid ? strings : nil
    }

    // MARK: Reporting

    private mutating func mismatch(_ node: PolicyNode, field: String, expected: String, fix: String) {
        report(.wrongType, field, "expected \(expected), found \(node.found)\(at(node.position))", Self.strictly, fix)
    }

    private mutating func report(
        _ kind: CORSConfigurationProblem.Kind, _ field: String, _ problem: String, _ why: String, _ fix: String
    ) {
        problems.append(CORSConfigurationProblem(kind: kind, field: field, problem: problem, why: why, fix: fix))
    }

    /// ` (line 3, column 5)`, or nothing when the position is unknown.
    private func at(_ position: SourcePosition?, _ more: String = "") -> String {
        position.map { " (\($0)\(more))" } ?? ""
    }
}
#endif
