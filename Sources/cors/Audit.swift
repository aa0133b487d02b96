import ArgumentParser
import CORSAudit
import CORSCheck
import Foundation
import HTTPTypes

extension CORSTool {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Probe a live server for exploitable CORS misconfigurations.",
            discussion: """
                Sends crafted Origin headers (an arbitrary origin, null, prefix/suffix/substring/unescaped-dot \
                look-alikes of the site's host, special characters, subdomains, http://, third-party hosts) as \
                GETs and as preflights, judges each answer as a browser would, and lists what it finds by \
                severity. Finding ids are listed in the README ("cors audit finding ids"). Exit status: 0 when \
                nothing of medium or higher severity is found, 1 when something is, 2 on errors and when the \
                audit is incomplete (requests failed, or --budget ran out before a required probe). Redirects \
                to another registered domain are not followed.
                """
        )

        @Argument(help: "The URL to probe, such as https://api.example.com/me.")
        var url: String

        @Flag(help: "Print {\"findings\": [{\"id\", \"severity\", \"origin\", \"evidence\", \"fix\"}]} as JSON.")
        var json = false

        @Option(
            help: "The site's own origin (scheme://host[:port]); probe origins are built from it. Default: the URL's.")
        var trustedOrigin: String?

        @Option(name: .customLong("path"), help: "Another path to probe on the same server (repeatable).")
        var paths: [String] = []

        @Option(name: .customLong("header"), help: "'Name: value' added to the GETs, such as a cookie (repeatable).")
        var headers: [String] = []

        @Option(parsing: .unconditional, help: "The most requests to send (default: 60 per URL probed).")
        var budget: Int?

        @Option(parsing: .unconditional, help: "Requests per second at most.")
        var rate = 10.0

        @Option(parsing: .unconditional, help: "Seconds to wait for each response.")
        var timeout = 10

        func run() async throws {
            let options: AuditOptions
            do {
                options = try makeOptions()
            } catch {
                throw fail("\(error)")
            }
            let configuration = CORSHTTPClient.Configuration(
                connectTimeout: .seconds(min(timeout, 10)), requestTimeout: .seconds(timeout),
                userAgent: "swift-cors-audit")
            let report: AuditReport
            do {
                report = try await CORSHTTPClient.withClient(configuration: configuration) { client in
                    try await Auditor(options: options, transport: client).run()
                }
            } catch {
                throw fail("\(error)")
            }
            print(json ? report.json : report.text)
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }

        private func makeOptions() throws -> AuditOptions {
            var fields = HTTPFields()
            for header in headers {
                do throws(HeaderOption.Problem) {
                    let (name, value) = try HeaderOption.parse(header)
                    fields.append(HTTPField(name: HTTPField.Name(name)!, value: value))
                } catch {
                    throw AuditError(error.message)
                }
            }
            guard timeout > 0 else { throw AuditError("--timeout must be at least 1 second") }
            let options = AuditOptions(
                url: url, trustedOrigin: trustedOrigin, paths: paths, headerFields: fields,
                budget: budget, rate: rate,
                timeout: .seconds(timeout))
            // Validates now, so a bad option is reported before any connection is made.
            _ = try Auditor(options: options, transport: NoTransport())
            return options
        }

        /// A usage or network error: on stderr, and with --json also as one object on stdout
        /// (`{"findings": null, "error": {"message"}}`, as `cors check` does); exit 2.
        private func fail(_ message: String) -> ExitCode {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            if json {
                print(
                    JSONValue.object([
                        ("findings", .null), ("error", .object([("message", .string(message))])),
                    ]).rendered())
            }
            return ExitCode(2)
        }
    }
}

/// Stands in for the HTTP client while options are validated; never sends.
private struct NoTransport: AuditTransport {
    func send(_ request: AuditRequest) async throws -> AuditResponse {
        throw AuditError("not connected")
    }
}
