import ArgumentParser
import Foundation
import PublicSuffix

@main
struct CORSTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cors",
        abstract: "CORS done right: serve or proxy behind a policy, lint it, check and audit live servers.",
        // The list's date matters to lint's verdicts (`*.` over a suffix the list names is refused).
        version: "cors (swift-cors); \(PublicSuffixList.source)",
        subcommands: [Serve.self, Lint.self, Proxy.self, Check.self, Audit.self]
    )

    /// Like ArgumentParser's own entry point, but usage errors exit 2 (the documented code), not 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
