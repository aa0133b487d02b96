#if PolicyFile
internal import Yams

/// Reads YAML with Yams into a ``PolicyNode``, typing plain scalars by the YAML 1.2 core schema.
///
/// The core schema, not Yams' default YAML 1.1 rules: `yes`, `no`, `on` and `off` stay strings (so
/// `credentials: yes` is reported, not guessed), and `1:30` or `0b1` are not numbers.
enum YAMLReader {
    struct SyntaxError: Error {
        var message: String
        var position: SourcePosition?
        /// What to do, when more specific than correcting the YAML at `position`.
        var fix: String?
    }

    /// Caps the values an alias-heavy document can expand to ("billion laughs").
    private static let maximumNodes = 100_000

    private static let resolver: Resolver = {
        try! Resolver.basic
            .appending(.null, "^(?:~|null|Null|NULL|)$")
            .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
            .appending(.int, "^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
            .appending(
                .float,
                "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"
            )
    }()

    /// Reads the one document the text holds; `nil` when it holds none (only white space or comments).
    static func read(_ text: String) throws(SyntaxError) -> PolicyNode? {
        let node: Node?
        do {
            node = try Parser(yaml: text, resolver: resolver, encoding: .utf8).singleRoot()
        } catch let error as YamlError {
            throw syntaxError(error, in: text)
        } catch {
            throw SyntaxError(message: "\(error)", position: nil)
        }
        guard let node else { return nil }
        var budget = maximumNodes
        return try convert(node, budget: &budget)
    }

    private static func convert(_ node: Node, budget: inout Int) throws(SyntaxError) -> PolicyNode {
        budget -= 1
        let position = sourcePosition(node.mark)
        guard budget >= 0 else {
            throw SyntaxError(
                message: "the document expands to more than \(maximumNodes) values (aliases repeat too much)",
                position: position
            )
        }
        // A tag YAML does not give plain data (`!!python/object/apply:os.system`) is refused, not
        // read as the mapping or list under it.
        let tag = Tag.Name(rawValue: node.tag.rawValue)
        if case .mapping = node, tag != .map {
            throw SyntaxError(message: "unsupported tag \(shortName(tag)) on a mapping", position: position)
        }
        if case .sequence = node, tag != .seq {
            throw SyntaxError(message: "unsupported tag \(shortName(tag)) on a list", position: position)
        }
        switch node {
        case .mapping(let mapping):
            var members: [PolicyNode.Member] = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    throw SyntaxError(
                        message: "a key must be a plain string, not a list or a mapping",
                        position: sourcePosition(key.mark)
                    )
                }
                members.append(
                    PolicyNode.Member(
                        key: scalar.string,
                        keyPosition: sourcePosition(scalar.mark),
                        value: try convert(value, budget: &budget)
                    )
                )
            }
            return PolicyNode(.object(members), at: position)
        case .sequence(let sequence):
            var elements: [PolicyNode] = []
            for element in sequence {
                elements.append(try convert(element, budget: &budget))
            }
            return PolicyNode(.array(elements), at: position)
        case .scalar(let scalar):
            return PolicyNode(try scalarValue(scalar, at: position), at: position)
        case .alias:
            // `compose` resolves aliases to the anchored node; kept for exhaustiveness.
            throw SyntaxError(message: "an unresolved alias", position: position)
        }
    }

    private static func scalarValue(
        _ scalar: Node.Scalar,
        at position: SourcePosition?
    ) throws(SyntaxError) -> PolicyNode.Value {
        let text = scalar.string
        let tag = Tag.Name(rawValue: Node.scalar(scalar).tag.rawValue)
        switch tag {
        case .str:
            return .string(text)
        case .null:
            return .null
        case .bool:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: break
            }
        case .int:
            if let integer = integer(text) { return .integer(integer) }
            if text.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }) { return .number(text) }
        case .float:
            return .number(text)
        default:
            throw SyntaxError(
                message: "unsupported tag \(shortName(tag)) on \(PolicyNode.quoted(text))",
                position: position
            )
        }
        throw SyntaxError(message: "\(PolicyNode.quoted(text)) is not a valid \(shortName(tag))", position: position)
    }

    private static func shortName(_ tag: Tag.Name) -> String {
        let prefix = "tag:yaml.org,2002:"
        return tag.rawValue.hasPrefix(prefix) ? "!!" + tag.rawValue.dropFirst(prefix.count) : tag.rawValue
    }

    private static func sourcePosition(_ mark: Mark?) -> SourcePosition? {
        mark.map { SourcePosition(line: $0.line, column: $0.column) }
    }

    private static func integer(_ text: String) -> Int? {
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        return Int(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    private static func syntaxError(_ error: YamlError, in text: String) -> SyntaxError {
        func describe(_ context: YamlError.Context?, _ problem: String) -> String {
            // libyaml's depth limit names its own C function.
            if problem.contains("max_nest_level") || problem.contains("max depth") {
                return "the document nests lists or mappings too deeply"
            }
            guard let context else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        func position(_ mark: Mark) -> SourcePosition { SourcePosition(line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return SyntaxError(message: PolicyNode.escapedMessage(describe(context, problem)), position: position(mark))
        case .reader(let problem, let offset, _, _):
            let position = offset.map { characterOffset in
                let prefix = text.prefix(characterOffset)
                let line = prefix.count { $0 == "\n" || $0 == "\r\n" } + 1
                let column = prefix.reversed().prefix { $0 != "\n" && $0 != "\r\n" }.count + 1
                return SourcePosition(line: line, column: column)
            }
            return SyntaxError(message: problem, position: position)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { PolicyNode.quoted($0) }.joined(separator: ", ")
            return SyntaxError(
                message:
                    "the key \(keys) appears more than once in the same mapping (first at \(position(context.mark)))",
                position: nil,
                fix: "keep one of them"
            )
        default:
            return SyntaxError(message: error.description, position: nil)
        }
    }
}
#endif
