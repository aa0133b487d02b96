/// One thing wrong (or risky) in a configuration: where, what, why it matters, and what to write instead.
///
/// Rendered as `FIELD: problem — why — fix`, the form `cors lint` prints.
public struct CORSConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    /// The field's path, e.g. `origins[2]` or `routes[0].credentials`.
    public var field: String
    /// What is wrong, quoting the offending value.
    public var problem: String
    /// Why it is wrong: the rule or the attack it enables.
    public var why: String
    /// What to do instead.
    public var fix: String

    public init(field: String, problem: String, why: String, fix: String) {
        self.field = field
        self.problem = problem
        self.why = why
        self.fix = fix
    }

    public var description: String { "\(field): \(problem) — \(why) — \(fix)" }
}

/// Thrown by ``CORSPolicy/init(_:)``: every problem found, not only the first.
public struct CORSConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [CORSConfigurationProblem]

    public init(problems: [CORSConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
