/// An origin regex compiled for a Pike VM: every thread advances in lock step over the input,
/// so a match costs at most (input length × program length) steps, whatever the regex.
struct OriginRegexProgram: Sendable {
    enum Instruction: Sendable {
        case bytes(ByteClass)
        /// Try both; the order does not matter for a whole match.
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case match
    }

    /// A program longer than this (after `{n,m}` copies) is refused: its matches would be slow.
    static let maximumLength = 20_000

    let instructions: [Instruction]

    struct TooLarge: Error {}

    init(_ node: OriginRegexNode) throws(TooLarge) {
        var builder = Builder()
        try builder.emit(node)
        try builder.append(.match)
        instructions = builder.instructions
    }

    private struct Builder {
        var instructions: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(TooLarge) {
            guard instructions.count < OriginRegexProgram.maximumLength else { throw TooLarge() }
            instructions.append(instruction)
        }

        /// Appends a placeholder to patch once its target is known.
        mutating func hole() throws(TooLarge) -> Int {
            try append(.jump(-1))
            return instructions.count - 1
        }

        mutating func emit(_ node: OriginRegexNode) throws(TooLarge) {
            switch node {
            case .bytes(let set): try append(.bytes(set))
            case .start: try append(.assertStart)
            case .end: try append(.assertEnd)
            case .sequence(let items):
                for item in items { try emit(item) }
            case .alternation(let alternatives):
                var exits: [Int] = []
                for (position, alternative) in alternatives.enumerated() {
                    if position == alternatives.count - 1 {
                        try emit(alternative)
                    } else {
                        let split = try hole()
                        try emit(alternative)
                        exits.append(try hole())
                        instructions[split] = .split(split + 1, instructions.count)
                    }
                }
                for exit in exits { instructions[exit] = .jump(instructions.count) }
            case .repetition(let body, let minimum, let maximum):
                for _ in 0..<minimum { try emit(body) }
                if let maximum {
                    var skips: [Int] = []
                    for _ in minimum..<maximum {
                        skips.append(try hole())
                        try emit(body)
                    }
                    for skip in skips { instructions[skip] = .split(skip + 1, instructions.count) }
                } else {
                    let loop = try hole()
                    try emit(body)
                    try append(.jump(loop))
                    instructions[loop] = .split(loop + 1, instructions.count)
                }
            }
        }
    }

    /// Whether the program matches all of `input`.
    func matchesWhole(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = instructions.count
        // `mark[pc] == generation` when pc is already in the list being built for this step.
        var mark = [Int](repeating: -1, count: count)
        var current: [Int] = []
        var next: [Int] = []
        var stack: [Int] = []
        current.reserveCapacity(count)
        next.reserveCapacity(count)

        func add(_ pc: Int, at position: Int, to list: inout [Int], generation: Int) -> Bool {
            stack.append(pc)
            while let pc = stack.popLast() {
                guard mark[pc] != generation else { continue }
                mark[pc] = generation
                switch instructions[pc] {
                case .bytes:
                    list.append(pc)
                case .match:
                    if position == input.count {
                        stack.removeAll(keepingCapacity: true)
                        return true
                    }
                case .jump(let target):
                    stack.append(target)
                case .split(let first, let second):
                    stack.append(second)
                    stack.append(first)
                case .assertStart:
                    if position == 0 { stack.append(pc + 1) }
                case .assertEnd:
                    if position == input.count { stack.append(pc + 1) }
                }
            }
            return false
        }

        if add(0, at: 0, to: &current, generation: 0) { return true }
        for position in 0..<input.count {
            let byte = input[position]
            next.removeAll(keepingCapacity: true)
            for pc in current {
                guard case .bytes(let set) = instructions[pc], set.contains(byte) else { continue }
                if add(pc + 1, at: position + 1, to: &next, generation: position + 1) { return true }
            }
            if next.isEmpty { return false }
            swap(&current, &next)
        }
        return false
    }
}
