/// Shapes that make backtracking regex engines (ICU, PCRE, JavaScript, Swift's own) take time
/// exponential, or polynomial of high degree, in the input: refused so a policy file stays safe
/// wherever it is used, though this project's matcher is linear whatever the regex.
///
/// The check is conservative: it refuses some unambiguous regexes, never an ambiguous one of
/// these shapes. A repeated part must consume its input one way only, which holds when it
/// cannot match empty, and either has no inner repetition or alternation, or ends in a
/// character nothing before it in the part can match (`([a-z0-9-]+\.)*`: each `.` ends one
/// repetition).
enum OriginRegexHazard: Equatable {
    /// `(a+)+`, `(a*b?)*`, `(.*a){10}`
    case nestedRepetition
    /// `(a|ab)*`: alternatives that can start alike, repeated.
    case overlappingAlternatives
    /// `(a*)*`, `(a?){20}`: a repeated part that can match nothing.
    case emptyRepetition
    /// `.*.*.*`: three repetitions in a row that can take the same characters.
    case adjacentRepetitions

    var description: String {
        switch self {
        case .nestedRepetition: "nests a repetition inside a repetition"
        case .overlappingAlternatives: "repeats alternatives that can match the same text"
        case .emptyRepetition: "repeats a part that can match nothing"
        case .adjacentRepetitions: "has three repetitions in a row that can match the same characters"
        }
    }

    static func find(in node: OriginRegexNode) -> OriginRegexHazard? {
        switch node {
        case .bytes, .start, .end:
            return nil
        case .alternation(let alternatives):
            for alternative in alternatives { if let hazard = find(in: alternative) { return hazard } }
            return nil
        case .sequence(let items):
            for item in items { if let hazard = find(in: item) { return hazard } }
            return adjacentRepetitions(in: flattened(items))
        case .repetition(let body, _, let maximum):
            if maximum == nil || maximum! > 1 {
                if body.isNullable { return .emptyRepetition }
                if let hazard = repeatedBodyHazard(body) { return hazard }
            }
            return find(in: body)
        }
    }

    private static func repeatedBodyHazard(_ body: OriginRegexNode) -> OriginRegexHazard? {
        if case .alternation(let alternatives) = body, !alternatives.contains(where: \.repeatsOrBranches) {
            var seen = ByteClass.empty
            for alternative in alternatives {
                let first = alternative.firstBytes
                if first.intersects(seen) { return .overlappingAlternatives }
                seen.formUnion(first)
            }
            return nil
        }
        guard body.repeatsOrBranches else { return nil }
        // The delimited form: a part ending in a mandatory byte that nothing before it can take.
        let items: [OriginRegexNode]
        if case .sequence(let sequence) = body { items = flattened(sequence) } else { items = [body] }
        guard let last = items.last, case .bytes(let delimiter) = last else {
            return body.isAlternation ? .overlappingAlternatives : .nestedRepetition
        }
        let before = items.dropLast().reduce(ByteClass.empty) { $0.union($1.allBytes) }
        if before.intersects(delimiter) {
            return body.isAlternation ? .overlappingAlternatives : .nestedRepetition
        }
        return nil
    }

    /// Sequences inside plain groups, spliced into the enclosing one.
    private static func flattened(_ items: [OriginRegexNode]) -> [OriginRegexNode] {
        items.flatMap { item -> [OriginRegexNode] in
            if case .sequence(let inner) = item { return flattened(inner) }
            return [item]
        }
    }

    /// Three repetitions that can take the same characters, with nothing between them that only
    /// one of them could take, give a backtracking engine n³ ways to split the input.
    private static func adjacentRepetitions(in items: [OriginRegexNode]) -> OriginRegexHazard? {
        var run: [ByteClass] = []
        for item in items {
            switch item {
            case .repetition(_, _, let maximum) where maximum == nil || maximum! > 1:
                let set = item.allBytes
                if run.filter({ $0.intersects(set) }).count >= 2 { return .adjacentRepetitions }
                run.append(set)
            case .start, .end:
                continue
            default:
                if item.isNullable { continue }
                let set = item.allBytes
                let runBytes = run.reduce(ByteClass.empty) { $0.union($1) }
                if !set.intersects(runBytes) { run.removeAll() }
            }
        }
        return nil
    }
}

extension OriginRegexNode {
    var isNullable: Bool {
        switch self {
        case .bytes: false
        case .start, .end: true
        case .sequence(let items): items.allSatisfy(\.isNullable)
        case .alternation(let alternatives): alternatives.contains(where: \.isNullable)
        case .repetition(let body, let minimum, _): minimum == 0 || body.isNullable
        }
    }

    /// Every byte the node can consume.
    var allBytes: ByteClass {
        switch self {
        case .bytes(let set): set
        case .start, .end: .empty
        case .sequence(let items): items.reduce(.empty) { $0.union($1.allBytes) }
        case .alternation(let items): items.reduce(.empty) { $0.union($1.allBytes) }
        case .repetition(let body, _, _): body.allBytes
        }
    }

    /// The bytes a match can start with.
    var firstBytes: ByteClass {
        switch self {
        case .bytes(let set): return set
        case .start, .end: return .empty
        case .sequence(let items):
            var result = ByteClass.empty
            for item in items {
                result.formUnion(item.firstBytes)
                if !item.isNullable { break }
            }
            return result
        case .alternation(let items): return items.reduce(.empty) { $0.union($1.firstBytes) }
        case .repetition(let body, _, _): return body.firstBytes
        }
    }

    /// Holds a repetition of more than one, or an alternation, anywhere inside.
    var repeatsOrBranches: Bool {
        switch self {
        case .bytes, .start, .end: false
        case .sequence(let items): items.contains(where: \.repeatsOrBranches)
        case .alternation: true
        case .repetition(let body, _, let maximum): maximum == nil || maximum! > 1 || body.repeatsOrBranches
        }
    }

    var isAlternation: Bool {
        if case .alternation = self { return true }
        return false
    }
}
