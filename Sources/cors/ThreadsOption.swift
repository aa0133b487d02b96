import ArgumentParser
import NIOCore

/// `--threads N`: how many event loops serve connections (nginx's `worker_processes`). Every
/// server here runs on NIO's singleton group, so this is the one place that sizes it.
struct ThreadsOption: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: """
            Event-loop threads that serve connections (default: one per core). On a machine the \
            upstream or the clients share, fewer threads than cores can mean a shorter tail latency.
            """)
    var threads: Int?

    func validate() throws {
        if let threads, !(1...1024).contains(threads) {
            throw ValidationError("--threads must be between 1 and 1024")
        }
    }

    /// Call first in `run()`: NIO takes the size the first time anything uses its event loops,
    /// and only once.
    func apply() {
        if let threads { NIOSingletons.groupLoopCountSuggestion = threads }
    }
}
