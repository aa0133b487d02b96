import HTTPTypes

/// A validated CORS policy, built once, with every response header value precomputed.
///
/// ```swift
/// let policy = try CORSPolicy(CORSConfiguration(
///     origins: ["https://app.example.com", "https://*.example.com"],
///     methods: ["GET", "POST", "PUT"],
///     allowedHeaders: ["Content-Type", "Authorization"],
///     credentials: true))
/// ```
/// An unsafe or malformed configuration throws ``CORSConfigurationError`` naming every problem;
/// risky but legal settings are reported in ``warnings``.
public struct CORSPolicy: Sendable {
    /// The configuration this policy was built from.
    public let configuration: CORSConfiguration
    /// Legal but risky settings (never printed by the engine).
    public let warnings: [CORSConfigurationProblem]

    let root: CompiledPolicy
    let routes: [(pattern: RoutePattern, policy: CompiledPolicy)]

    /// Whether a decision depends on the request's path: only a policy with routes reads it. An
    /// adapter whose server builds the path at a cost (Vapor's `URI.string` goes through
    /// Foundation's `URLComponents`) passes nil when this is false.
    public var readsPath: Bool { !routes.isEmpty }

    /// Whether ``evaluate(method:path:headerFields:)`` always decides at once: no origin
    /// predicate, at the top level or in a route, that it would have to wait for.
    public var decidesSynchronously: Bool {
        configuration.originPredicate == nil && configuration.routes.allSatisfy { $0.originPredicate == nil }
    }

    /// Validates `configuration`, the top level and every route, and compiles it once: origin rules,
    /// route patterns and every response header value. Risky but legal settings don't throw; they
    /// are listed in ``warnings``.
    ///
    /// - Throws: ``CORSConfigurationError`` listing every problem found, not only the first.
    public init(_ configuration: CORSConfiguration) throws(CORSConfigurationError) {
        let outcome = Self.compile(configuration)
        guard outcome.problems.isEmpty, let root = outcome.root else {
            throw CORSConfigurationError(problems: outcome.problems)
        }
        self.configuration = configuration
        self.warnings = outcome.warnings
        self.root = root
        self.routes = outcome.routes
    }

    /// Validates without building: every problem and warning, for linters.
    public static func validate(
        _ configuration: CORSConfiguration
    ) -> (problems: [CORSConfigurationProblem], warnings: [CORSConfigurationProblem]) {
        let outcome = compile(configuration)
        return (outcome.problems, outcome.warnings)
    }

    private struct Outcome {
        var root: CompiledPolicy?
        var routes: [(pattern: RoutePattern, policy: CompiledPolicy)] = []
        var problems: [CORSConfigurationProblem] = []
        var warnings: [CORSConfigurationProblem] = []
    }

    private static func compile(_ configuration: CORSConfiguration) -> Outcome {
        var top = PolicyCompiler()
        var outcome = Outcome(root: top.compile(configuration))
        outcome.problems = top.problems
        outcome.warnings = top.warnings
        var seenPaths: Set<String> = []
        var coverage = RouteCoverageIndex()
        // A problem of an inherited field alone was already reported at the top level: the same
        // rule broken by the same field. One the route's own settings cause (its credentials over
        // inherited origins) is new, and kept.
        let topProblems = Set(top.problems.map { InheritedKey(kind: $0.kind, field: $0.field) })
        let topWarnings = Set(top.warnings.map { InheritedKey(kind: $0.kind, field: $0.field) })
        for (index, route) in configuration.routes.enumerated() {
            let prefix = "routes[\(index)]"
            let pattern: RoutePattern
            do {
                pattern = try RoutePattern(route.path)
            } catch {
                outcome.problems.append(routePathProblem(route.path, field: "\(prefix).path", failure: error))
                continue
            }
            if !seenPaths.insert(route.path).inserted {
                outcome.warnings.append(
                    CORSConfigurationProblem(
                        kind: .repeatedRoute, field: "\(prefix).path",
                        problem: "\(quoted(route.path)) repeats an earlier route",
                        why: "the first matching route wins, so this one is never used", fix: "remove or merge it"))
            } else if let earlier = coverage.coveringPattern(of: pattern) {
                outcome.warnings.append(
                    CORSConfigurationProblem(
                        kind: .coveredRoute, field: "\(prefix).path",
                        problem: "\(quoted(route.path)) is covered by the earlier route \(quoted(earlier.source))",
                        why: "the first matching route wins, so this one is never used",
                        fix: "move it before \(quoted(earlier.source))"))
            }
            coverage.insert(pattern)
            let overridden = route.overriddenFields
            var compiler = PolicyCompiler(isTopLevel: false) { field in
                ("\(prefix).\(field)", !overridden.contains(String(field.prefix { $0 != "[" })))
            }
            // A route that changes nothing the origins are judged by shares the top level's
            // matcher: tens of thousands of tenant origins are compiled once, not once per route.
            let sharesOrigins = overridden.isDisjoint(with: [
                "origins", "originPredicate", "allowNullOrigin", "credentials",
            ])
            let compiled = compiler.compile(
                route.merged(over: configuration), inheritedOrigins: sharesOrigins ? top.origins : nil)
            func isNew(_ problem: CORSConfigurationProblem, _ reported: Set<InheritedKey>) -> Bool {
                !problem.isInherited
                    || !reported.contains(
                        InheritedKey(kind: problem.kind, field: String(problem.field.dropFirst(prefix.count + 1))))
            }
            outcome.problems += compiler.problems.filter { isNew($0, topProblems) }
            outcome.warnings += compiler.warnings.filter { isNew($0, topWarnings) }
            if let compiled { outcome.routes.append((pattern, compiled)) }
        }
        return outcome
    }

    /// A broken rule and the top-level field that breaks it: how a route's inherited problem is
    /// recognised as one the top level already reported.
    private struct InheritedKey: Hashable {
        var kind: CORSConfigurationProblem.Kind
        var field: String
    }

    private static func routePathProblem(_ path: String, field: String, failure: RoutePattern.Failure)
        -> CORSConfigurationProblem
    {
        switch failure {
        case .missingLeadingSlash:
            return CORSConfigurationProblem(
                kind: .invalidRoutePath, field: field, problem: "\(quoted(path)) does not start with '/'",
                why: "request paths always start with '/'",
                fix: "write '/\(path)'")
        case .queryOrFragment:
            return CORSConfigurationProblem(
                kind: .invalidRoutePath, field: field, problem: "\(quoted(path)) has a query or fragment",
                why: "routes are matched on the request's path alone, so this one would never match",
                fix: "remove what follows '?' or '#'")
        case .partialWildcard(let segment):
            return CORSConfigurationProblem(
                kind: .invalidRoutePath, field: field,
                problem: "segment \(quoted(segment)) mixes '*' with other characters",
                why: "'*' matches one whole segment and '**' any number of segments",
                fix: "use '*' or '**' as a whole segment, e.g. '/api/*/items'")
        case .invalidEscape(let segment):
            return CORSConfigurationProblem(
                kind: .invalidRoutePath, field: field,
                problem: "segment \(quoted(segment)) has a '%' not followed by two hex digits",
                why: "routes are matched on the decoded path, and this escape decodes to nothing",
                fix: "write '%25' for a '%', or the character itself")
        case .dotSegment(let segment):
            return CORSConfigurationProblem(
                kind: .invalidRoutePath, field: field, problem: "segment \(quoted(segment)) is a dot segment",
                why: "request paths are matched once '.' and '..' are resolved, so this route would never match",
                fix: "write the path without '.' and '..' segments")
        case .serverDependent(let segment):
            return CORSConfigurationProblem(
                kind: .invalidRoutePath, field: field,
                problem: "segment \(quoted(segment)) has ';', '\\' or an encoded '/' or '\\'",
                why: "servers read these differently (parameters, separators or bytes), so no request could be"
                    + " trusted to match it",
                fix: "match such segments with '*' or '**'")
        }
    }

    /// What governs a request: a policy, or a refusal when the path can't be trusted to pick one.
    enum RouteChoice {
        case policy(CompiledPolicy)
        case refused(CORSRejection)
    }

    /// The policy that governs a request target: the first matching route's, else the top level's.
    ///
    /// The path is matched as servers resolve it (``RequestPath``). A path servers read in
    /// different ways (`%2F`, `\`, `;parameters`, `..` after an empty segment) is tried in every
    /// reading it calls for, and refused when they select different routes: then any choice could
    /// give the request a looser route than the one the server serves it from. A malformed path
    /// (an invalid escape, a control byte) is refused whenever there are routes.
    func policy(forPath path: String?) -> RouteChoice {
        guard let path, !routes.isEmpty else { return .policy(root) }
        return RequestPath.withBytes(of: path) { bytes in
            guard case .readable(let ambiguities) = RequestPath.scan(bytes) else {
                return .refused(CORSRejection(.malformedPath, value: path[...]))
            }
            var chosen: Int?
            // Every combination of the readings that matter (at most 16), the literal one first.
            var reading = RequestPath.Reading()
            while true {
                let resolved = RequestPath(bytes, reading: reading, foldsCase: configuration.caseInsensitivePaths)
                let index = routes.firstIndex { $0.pattern.matches(resolved) } ?? routes.count
                if let chosen, chosen != index { return .refused(CORSRejection(.ambiguousPath, value: path[...])) }
                chosen = index
                guard reading != ambiguities else { break }
                // The next subset of `ambiguities`, counting up through its bits.
                reading = RequestPath.Reading(
                    rawValue: ((reading.rawValue | ~ambiguities.rawValue) &+ 1) & ambiguities.rawValue)
            }
            return .policy(chosen.map { $0 < routes.count ? routes[$0].policy : root } ?? root)
        }
    }
}

extension CORSRouteConfiguration {
    /// The names of the fields this route sets itself.
    var overriddenFields: Set<String> {
        var fields: Set<String> = []
        if origins != nil { fields.insert("origins") }
        if originPredicate != nil { fields.insert("originPredicate") }
        if allowNullOrigin != nil { fields.insert("allowNullOrigin") }
        if methods != nil { fields.insert("methods") }
        if allowedHeaders != nil { fields.insert("allowedHeaders") }
        if exposedHeaders != nil { fields.insert("exposedHeaders") }
        if credentials != nil { fields.insert("credentials") }
        if maxAge != nil { fields.insert("maxAge") }
        if privateNetwork != nil { fields.insert("privateNetwork") }
        if preflightContinue != nil { fields.insert("preflightContinue") }
        if optionsSuccessStatus != nil { fields.insert("optionsSuccessStatus") }
        if debug != nil { fields.insert("debug") }
        return fields
    }

    /// This route's settings with the unspecified ones taken from `base`.
    func merged(over base: CORSConfiguration) -> CORSConfiguration {
        CORSConfiguration(
            origins: origins ?? base.origins,
            originPredicate: origins != nil ? originPredicate : (originPredicate ?? base.originPredicate),
            allowNullOrigin: allowNullOrigin ?? base.allowNullOrigin,
            methods: methods ?? base.methods,
            allowedHeaders: allowedHeaders ?? base.allowedHeaders,
            exposedHeaders: exposedHeaders ?? base.exposedHeaders,
            credentials: credentials ?? base.credentials,
            maxAge: maxAge ?? base.maxAge,
            privateNetwork: privateNetwork ?? base.privateNetwork,
            preflightContinue: preflightContinue ?? base.preflightContinue,
            optionsSuccessStatus: optionsSuccessStatus ?? base.optionsSuccessStatus,
            debug: debug ?? base.debug,
            routes: []
        )
    }
}
