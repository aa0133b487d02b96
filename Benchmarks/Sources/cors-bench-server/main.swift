import CORS
import CORSBenchFixtures
import CORSHummingbird
import CORSVapor
import Foundation
import Hummingbird
import Logging
import Vapor

// cors-bench-server --framework hummingbird|vapor --middleware ours|builtin|none --port N
//
// One tiny handler on 127.0.0.1, for wrk. Same binary in every configuration: only the
// middleware changes. The policy allows http://localhost:3000, the origin the load generator sends.

let usage = "usage: cors-bench-server --framework hummingbird|vapor --middleware ours|builtin|none --port N"

enum Framework: String { case hummingbird, vapor }
enum MiddlewareChoice: String { case ours, builtin, none }

func option(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

guard let framework = option("--framework").flatMap(Framework.init(rawValue:)),
    let middleware = option("--middleware").flatMap(MiddlewareChoice.init(rawValue:)),
    let port = option("--port").flatMap(Int.init)
else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}

let benchOrigin = "http://localhost:3000"
let policy = try CORSPolicy(
    CORSConfiguration(
        origins: [benchOrigin], methods: ["GET", "POST", "PUT", "DELETE"], allowedHeaders: ["Content-Type"]))

/// Unbuffered, so run.sh sees the line at once.
@Sendable func announce(_ port: Int) {
    FileHandle.standardOutput.write(Data("listening on http://127.0.0.1:\(port)\n".utf8))
}

switch framework {
case .hummingbird:
    let router = Router()
    switch middleware {
    case .ours: router.add(middleware: CORSHummingbirdMiddleware(policy))
    case .builtin:
        router.add(
            middleware: Hummingbird.CORSMiddleware(
                allowOrigin: .oneOf(benchOrigin), allowHeaders: [.contentType],
                allowMethods: [.get, .post, .put, .delete]))
    case .none: break
    }
    router.get("/") { _, _ in "ok" }
    var logger = Logger(label: "cors-bench-server")
    logger.logLevel = .error
    let app = Hummingbird.Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
        onServerRunning: { channel in announce(channel.localAddress?.port ?? port) }, logger: logger)
    try await app.runService()
case .vapor:
    var logger = Logger(label: "cors-bench-server")
    logger.logLevel = .error
    let app = try await Vapor.Application.make(
        Environment(name: "production", arguments: ["cors-bench-server", "serve"]), logger: logger)
    app.logger.logLevel = .error
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = port
    app.middleware = Middlewares()
    switch middleware {
    case .ours: app.middleware.use(CORSVaporMiddleware(policy))
    case .builtin:
        app.middleware.use(
            Vapor.CORSMiddleware(
                configuration: .init(
                    allowedOrigin: .any([benchOrigin]), allowedMethods: [.GET, .POST, .PUT, .DELETE],
                    allowedHeaders: [.contentType])))
    case .none: break
    }
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))
    app.get { _ in "ok" }
    // Boots and runs `serve` with the configuration above; returns once the server listens.
    try await app.startup()
    announce(app.http.server.shared.localAddress?.port ?? port)
    // `serve` ignores SIGTERM and waits for its own shutdown; a bench server just ends.
    signal(SIGTERM, SIG_DFL)
    signal(SIGINT, SIG_DFL)
    // Runs until killed (SIGTERM from run.sh).
    while true { try await Task.sleep(for: .seconds(3600)) }
}
