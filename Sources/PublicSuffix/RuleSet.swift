/// The rules as a trie of labels, read right to left, so a lookup hashes each host label once: linear in the
/// host's length, whatever the number of rules.
struct RuleSet: Sendable {
    private struct Node: Sendable {
        /// Child nodes by label. Keys are slices of the generated rule text, which lives for the whole program.
        var children: [Substring: Int32] = [:]
        /// A normal rule ends here (`co.uk` at `uk` → `co`), or a wildcard rule hangs below it (see `insert`).
        var isRule = false
        /// A `*.` rule hangs here: any one further label is a suffix (`*.ck` at `ck`).
        var hasWildcard = false
        /// A `!` rule ends here: the suffix is this node's parent (`!www.ck` at `ck` → `www`).
        var isException = false
    }

    private var nodes: [Node] = [Node()]

    /// Builds the trie from rule lists in the generated format: one rule per line.
    init(_ ruleLists: String...) {
        for list in ruleLists {
            for line in list.split(separator: "\n") {
                insert(line)
            }
        }
    }

    private mutating func insert(_ rule: Substring) {
        let isException = rule.hasPrefix("!")
        var labels = (isException ? rule.dropFirst() : rule).split(separator: ".")
        let isWildcard = labels.first == "*"
        if isWildcard { labels.removeFirst() }
        var index = 0
        for label in labels.reversed() {
            if let child = nodes[index].children[label] {
                index = Int(child)
            } else {
                nodes.append(Node())
                nodes[index].children[label] = Int32(nodes.count - 1)
                index = nodes.count - 1
            }
        }
        if isException {
            nodes[index].isException = true
        } else {
            // `*.kawasaki.jp` also makes `kawasaki.jp` a suffix. The formal algorithm alone would not, but Chromium,
            // Firefox, libpsl and the list's own linter all read it that way (publicsuffix/list#694, #2240).
            nodes[index].isRule = true
            nodes[index].hasWildcard = nodes[index].hasWildcard || isWildcard
        }
    }

    /// How many of the rightmost `labels` form the public suffix, following the list's formal algorithm: an exception
    /// rule wins, otherwise the longest matching rule, otherwise the implicit `*` rule (one label).
    func publicSuffixLabelCount(_ labels: [Substring]) -> Int {
        var longest = 1
        var index = 0
        for (depth, label) in labels.reversed().enumerated() {
            // The wildcard matches this label whether or not a more specific rule continues below.
            if nodes[index].hasWildcard { longest = depth + 1 }
            guard let child = nodes[index].children[label] else { break }
            index = Int(child)
            if nodes[index].isException { return depth }
            if nodes[index].isRule { longest = depth + 1 }
        }
        return longest
    }
}
