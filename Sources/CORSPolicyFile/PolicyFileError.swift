#if PolicyFile
public import CORS

/// Why a policy file could not be loaded: every problem found, each as `FIELD: problem — why — fix`.
///
/// Field problems name the field's path (`origins[2]`, `routes[0].credentials`) and where it is written
/// (`(line 4, column 14)`); problems about the whole file (unreadable, empty, a syntax error) name the
/// file's path instead, and a syntax error gives the line and column in its text.
public struct PolicyFileError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unreadable
            case syntax
            case schema
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// The file does not exist, cannot be read, or is not UTF-8 text.
        public static let unreadable = Kind(.unreadable)
        /// The file is empty or not valid JSON or YAML.
        public static let syntax = Kind(.syntax)
        /// The document is well-formed but not a policy: wrong types, unknown keys, a route without a path.
        public static let schema = Kind(.schema)

        public var description: String { base.rawValue }
    }

    /// Whether the file could not be read, could not be parsed, or parsed into something that is not
    /// a policy: what code reacting to the error matches on.
    public var kind: Kind
    /// Every problem found, in the order they appear in the file.
    public var problems: [CORSConfigurationProblem]

    /// An error of the given kind.
    ///
    /// - Parameters:
    ///   - kind: Which stage failed: reading, parsing, or the policy's schema.
    ///   - problems: Every problem found, in the order they appear in the file.
    public init(kind: Kind, problems: [CORSConfigurationProblem]) {
        self.kind = kind
        self.problems = problems
    }

    /// One problem per line, as `FIELD: problem — why — fix`.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
#endif
