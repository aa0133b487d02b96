import ArgumentParser
import CORSBrowser
import CORSCheck

extension CORSTool {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Would a browser let a page on ORIGIN read URL? Sends what the browser would and explains.",
            discussion: """
                Performs the exchange a browser runs for fetch(URL, {method, headers, credentials}) from a page \
                on ORIGIN: the preflight when one is needed, the actual request, each redirect (checked and \
                followed as Chromium does). Prints each exchange like `curl -v`, the verdict, Chromium's console \
                text, and the fix with snippets for a policy file, Hummingbird, Vapor, Express and nginx. \
                Cookies are never sent. Exit status: 0 allowed, 1 blocked, 2 usage or network error. With \
                --json, stdout holds one object: {"allowed", "preflight", "reason", "failedParameter", "message", \
                "fix", "exposedHeaders", "warnings", "exchanges", "serverFix", ...}, or on exit 2 \
                {"allowed": null, "error": {"kind", "message"}}.
                """
        )

        @Argument(help: "The absolute http(s) URL the page fetches.")
        var url: String

        @Option(help: "The page's origin, as the browser sends it (e.g. http://localhost:3000).")
        var origin: String

        @Option(help: "The method given to fetch() (only DELETE, GET, HEAD, OPTIONS, POST, PUT are uppercased).")
        var method = "GET"

        @Option(name: .customLong("header"), help: "A request header the page sets, as 'Name: value' (repeatable).")
        var headers: [String] = []

        @Flag(help: "The request includes credentials (fetch's credentials: 'include').")
        var credentials = false

        @Flag(help: "Print one JSON object instead of the report.")
        var json = false

        @Option(parsing: .unconditional, help: "Seconds to wait for each answer.")
        var timeout = 30

        func run() async throws {
            guard timeout > 0 else { throw fail(kind: "usage", "--timeout must be at least 1 second.") }
            let request = BrowserRequest(
                url: url,
                origin: origin,
                method: method,
                headers: try parsedHeaders(),
                credentials: credentials
            )
            let configuration = CORSHTTPClient.Configuration(
                connectTimeout: .seconds(min(timeout, 10)), requestTimeout: .seconds(timeout))
            let result: CORSCheckResult
            do {
                result = try await CORSHTTPClient.withClient(configuration: configuration) { client in
                    try await CORSChecker(client: client).check(request)
                }
            } catch let error as CORSCheckError {
                throw fail(kind: error.kind.description, error.message)
            }
            print(json ? result.json.rendered() : result.report)
            if !result.allowed { throw ExitCode(1) }
        }

        /// `Name: value` lines, checked the way fetch() checks them.
        private func parsedHeaders() throws -> [RequestHeader] {
            try headers.map { line in
                let parsed: (name: String, value: String)
                do throws(HeaderOption.Problem) {
                    parsed = try HeaderOption.parse(line)
                } catch {
                    throw fail(kind: "invalidHeader", error.message)
                }
                return RequestHeader(parsed.name, parsed.value)
            }
        }

        /// Reports a usage or network error (stderr; with --json also one object on stdout): exit 2.
        private func fail(kind: String, _ message: String) -> ExitCode {
            PolicySource.printToStandardError("error: \(message)")
            if json {
                print(
                    JSONValue.object([
                        ("allowed", .null),
                        ("error", .object([("kind", .string(kind)), ("message", .string(message))])),
                    ]).rendered())
            }
            return ExitCode(2)
        }
    }
}
