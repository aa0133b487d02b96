/// Finds, for each new route pattern, an earlier one that already matches every path it does,
/// without comparing it with every earlier route: the earlier patterns form a trie of their
/// segments, and a new pattern only visits the trie nodes whose segments it could fall under.
/// Each node is visited at most once per lookup, so a lookup costs at most the trie's size and
/// usually the new pattern's length.
struct RouteCoverageIndex {
    private struct Node {
        var literals: [[UInt8]: Int] = [:]
        var anySegment: Int?
        /// The first route (by position) that ends here with `**`.
        var endsWithAnyDepth: Int?
        /// The first route that ends here.
        var endsHere: Int?
    }

    private var nodes = [Node()]
    private var patterns: [RoutePattern] = []

    /// The earliest pattern inserted so far that covers `pattern` (see ``RoutePattern/covers(_:)``).
    func coveringPattern(of pattern: RoutePattern) -> RoutePattern? {
        var best: Int?
        func consider(_ candidate: Int?) {
            if let candidate, candidate < best ?? .max { best = candidate }
        }
        // (node, depth): the trie nodes reachable by prefixes of `pattern`'s segments.
        var frontier = [(0, 0)]
        while let (index, depth) = frontier.popLast() {
            let node = nodes[index]
            consider(node.endsWithAnyDepth)
            guard depth < pattern.segments.count else {
                consider(node.endsHere)
                continue
            }
            switch pattern.segments[depth] {
            case .anyDepth:
                continue
            case .anySegment:
                if let next = node.anySegment { frontier.append((next, depth + 1)) }
            case .literal(let literal):
                if let next = node.anySegment { frontier.append((next, depth + 1)) }
                if let next = node.literals[literal] { frontier.append((next, depth + 1)) }
            }
        }
        return best.map { patterns[$0] }
    }

    mutating func insert(_ pattern: RoutePattern) {
        let position = patterns.count
        patterns.append(pattern)
        var index = 0
        for (offset, segment) in pattern.segments.enumerated() {
            switch segment {
            case .anyDepth:
                // Only a final `**` is judged to cover (as ``RoutePattern/covers(_:)`` does).
                if offset == pattern.segments.count - 1, nodes[index].endsWithAnyDepth == nil {
                    nodes[index].endsWithAnyDepth = position
                }
                return
            case .anySegment:
                index = child(of: index, existing: nodes[index].anySegment) { $0.anySegment = $1 }
            case .literal(let literal):
                index = child(of: index, existing: nodes[index].literals[literal]) { $0.literals[literal] = $1 }
            }
        }
        if nodes[index].endsHere == nil { nodes[index].endsHere = position }
    }

    private mutating func child(of parent: Int, existing: Int?, link: (inout Node, Int) -> Void) -> Int {
        if let existing { return existing }
        nodes.append(Node())
        link(&nodes[parent], nodes.count - 1)
        return nodes.count - 1
    }
}
