import CORS
import CORSVapor
import HTTPTypes
import Vapor

/// `cors serve --adapter vapor`: the echo API behind `CORSVaporMiddleware`, and `/ws`.
enum ServeVapor {
    static func run(_ settings: ServerSettings) async throws {
        let app = try await Application.make(Environment(name: "production", arguments: ["cors"]))
        app.logger = settings.logger
        app.middleware = Middlewares()
        app.middleware.use(CORSVaporMiddleware(settings.policy))
        app.middleware.use(ErrorMiddleware.default(environment: app.environment))
        app.middleware.use(EchoVaporMiddleware())
        app.webSocket("ws") { _, socket in
            socket.onText { socket, text in socket.send(text) }
            socket.onBinary { socket, buffer in socket.send(buffer) }
        }
        do {
            try await app.asyncBoot()
            try await app.server.start(address: .hostname(settings.host, port: settings.port))
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        settings.announce(port: app.http.server.shared.localAddress?.port ?? 0)
        let services = settings.runServicesInBackground()
        await TerminationSignal.wait()
        services.cancel()
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

/// Answers every request with the echo API (never calls `next`), except WebSocket upgrades of `/ws`.
struct EchoVaporMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a GET opens a WebSocket (RFC 6455 §4.1); the route below answers nothing else.
        if request.method == .GET, request.url.path == "/ws",
            request.headers[.upgrade].contains(where: { $0.lowercased() == "websocket" })
        {
            return try await next.respond(to: request)
        }
        var fields = HTTPFields()
        for (name, value) in request.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let reply = EchoAPI.reply(method: request.method.rawValue, target: request.url.string, headerFields: fields)
        var headers = HTTPHeaders()
        for field in reply.headerFields { headers.add(name: field.name.rawName, value: field.value) }
        // `closesConnection` is left out: Vapor writes `Connection` itself from the request alone.
        // The 405 is framed by its length, and bytes a client tunnels after it fail to parse (400, close).
        let body: Response.Body = reply.body.isEmpty ? .empty : .init(string: reply.body)
        let response = Response(status: HTTPResponseStatus(statusCode: reply.status.code), headers: headers, body: body)
        // Vapor declares the length of what is written; a HEAD declares the GET's.
        if request.method == .HEAD, let length = reply.contentLength {
            response.headers.replaceOrAdd(name: .contentLength, value: String(length))
        }
        return response
    }
}
