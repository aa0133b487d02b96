import ArgumentParser
import CORS
import CORSHummingbird
import CORSPolicyFile
import Foundation
import Hummingbird
import Logging

extension CORSTool {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the echo API behind a CORS policy.",
            discussion: """
                Any method and path answers 200 with a JSON description of the request; `?status=N` sets \
                the status and `?set=Name:Value` (repeatable) adds a response header. Without --policy, a \
                development default allows any http://localhost:* and http://127.0.0.1:* origin.
                """
        )

        @Option(help: "Policy file (JSON or YAML). Default: the development policy.")
        var policy: String?

        @Option(help: "Address to bind.")
        var host = "127.0.0.1"

        @Option(help: "Port to bind; 0 picks a free one (printed).")
        var port = 8080

        @Option(help: "Log level: trace, debug (shows every CORS refusal), info, notice, warning, error, critical.")
        var logLevel = "info"

        func validate() throws {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
            }
        }

        func run() async throws {
            let corsPolicy = try loadPolicy()
            var logger = Logger(label: "cors.serve")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

            let router = Router()
            router.add(middleware: CORSPolicyMiddleware(corsPolicy))
            router.add(middleware: EchoMiddleware())
            let host = self.host
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(host, port: port), serverName: nil),
                onServerRunning: { channel in
                    let boundPort = channel.localAddress?.port ?? 0
                    // Written unbuffered: scripts and tests wait for this line on a pipe.
                    FileHandle.standardOutput.write(
                        Data("listening on http://\(Self.displayHost(host)):\(boundPort)\n".utf8))
                },
                logger: logger
            )
            try await app.runService()
        }

        private func loadPolicy() throws -> CORSPolicy {
            let configuration: CORSConfiguration
            do {
                configuration = try PolicySource.configuration(from: policy)
            } catch {
                switch error {
                case .unreadable(let message):
                    PolicySource.printToStandardError("error: \(message)")
                case .invalid(let problems):
                    PolicySource.printToStandardError("error: invalid policy \(policy ?? ""):")
                    for problem in problems { PolicySource.printToStandardError("  \(problem)") }
                }
                throw ExitCode(2)
            }
            if policy == nil {
                PolicySource.printToStandardError("using the development policy:\n\(PolicyFile.render(configuration))")
            }
            do {
                let built = try CORSPolicy(configuration)
                for warning in built.warnings { PolicySource.printToStandardError("warning: \(warning)") }
                return built
            } catch {
                PolicySource.printToStandardError("error: invalid policy \(policy ?? ""):")
                for problem in error.problems { PolicySource.printToStandardError("  \(problem)") }
                throw ExitCode(2)
            }
        }

        private static func displayHost(_ host: String) -> String {
            host.contains(":") ? "[\(host)]" : host
        }
    }
}
