#if PolicyFile
/// A parsed policy document, independent of its syntax (JSON or YAML), with where each value was written.
struct PolicyNode: Sendable {
    indirect enum Value: Sendable {
        /// Members in the order they were written.
        case object([Member])
        case array([PolicyNode])
        case string(String)
        /// A number written without fraction or exponent that fits in `Int`.
        case integer(Int)
        /// Any other number, as written.
        case number(String)
        case bool(Bool)
        case null
    }

    struct Member: Sendable {
        var key: String
        var keyPosition: SourcePosition?
        var value: PolicyNode
    }

    var value: Value
    var position: SourcePosition?

    init(_ value: Value, at position: SourcePosition?) {
        self.value = value
        self.position = position
    }

    /// How an error message names this value: `the string "yes"`, `the number 1.5`, `an array`.
    var found: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string(let string): "the string \(Self.quoted(string))"
        case .integer(let integer): "the number \(integer)"
        case .number(let text): "the number \(Self.bounded(text))"
        case .bool(let bool): "the boolean \(bool)"
        case .null: "null"
        }
    }

    /// A parser's message, which may quote the document: control bytes escaped, at most 200 characters.
    static func escapedMessage(_ message: String) -> String {
        let shown = quoted(message, limit: 200)
        return String(shown.dropFirst().dropLast())
    }

    /// A number as written, cut after 40 characters with its full length (a million digits is no message).
    static func bounded(_ text: String) -> String {
        text.count <= 40 ? text : "\(text.prefix(40))… (\(text.count) digits)"
    }

    /// `string` in double quotes, shortened when long and with control characters escaped.
    static func quoted(_ string: String, limit: Int = 60) -> String {
        var shown = ""
        for scalar in string.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\"": shown += "\\\""
            case "\\": shown += "\\\\"
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            // C0, DEL and C1 controls: a terminal would act on them.
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return "\"\(shown)\(string.unicodeScalars.count > limit ? "…" : "")\""
    }
}
#endif
