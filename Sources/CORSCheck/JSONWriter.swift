#if Tools
/// A JSON value with ordered object keys, rendered without Foundation.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer, rendered in decimal (there are no fractional numbers).
    case number(Int)
    /// A string, rendered as a quoted, escaped JSON string literal.
    case string(String)
    /// An array, its elements in order.
    case array([JSONValue])
    /// An object: its members as key–value pairs, rendered in this order (keys are not deduplicated).
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rendered())
    }

    /// `nil` becomes `null`.
    static func string(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    /// A JSON string literal (RFC 8259 §7), for writers that build JSON text themselves.
    public static func quoted(_ value: String) -> String {
        JSONWriter.quoted(value)
    }

    /// Compact JSON text (one line).
    public func rendered() -> String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return String(value)
        case .string(let value): return JSONWriter.quoted(value)
        case .array(let items): return "[" + items.map { $0.rendered() }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONWriter.quoted($0.0) + ":" + $0.1.rendered() }.joined(separator: ",") + "}"
        }
    }
}

enum JSONWriter {
    /// A JSON string literal (RFC 8259 §7).
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
#endif
