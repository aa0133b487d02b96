import ArgumentParser

@main
struct CORSTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cors",
        abstract: "CORS done right: serve a policy, lint it.",
        subcommands: [Serve.self, Lint.self]
    )
}
