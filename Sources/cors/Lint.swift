import ArgumentParser
import CORS

extension CORSTool {
    struct Lint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file: exit 0 when valid (warnings on stderr), 1 when not.",
            discussion: "Each problem is printed as `FIELD: problem — why — fix`."
        )

        @Argument(help: "The policy file (JSON or YAML).")
        var file: String

        func run() async throws {
            let configuration: CORSConfiguration
            do {
                configuration = try PolicySource.configuration(from: file)
            } catch {
                switch error {
                case .unreadable(let message):
                    PolicySource.printToStandardError("error: \(message)")
                    throw ExitCode(2)
                case .invalid(let problems):
                    for problem in problems { print(problem) }
                    throw ExitCode(1)
                }
            }
            let (problems, warnings) = CORSPolicy.validate(configuration)
            for warning in warnings { PolicySource.printToStandardError("warning: \(warning)") }
            guard problems.isEmpty else {
                for problem in problems { print(problem) }
                throw ExitCode(1)
            }
            print("\(file): valid")
        }
    }
}
