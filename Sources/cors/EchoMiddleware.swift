import HTTPTypes
import Hummingbird

/// Answers every request with the echo API (it never calls `next`), so any method and path works.
struct EchoMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        // HTTP types keep `Host` as the authority, not a field: put it back, so that the echo shows
        // the request's fields as the Vapor and NIO adapters do.
        var requestFields = request.headers
        if let authority = request.head.authority, let host = HTTPField.Name("Host") {
            requestFields.insert(HTTPField(name: host, value: authority), at: 0)
        }
        let reply = EchoAPI.reply(
            method: request.method.rawValue, target: request.head.path ?? "/", headerFields: requestFields)
        let body = reply.body.isEmpty ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: reply.body))
        var fields = reply.headerFields
        if let length = reply.contentLength { fields[.contentLength] = String(length) }
        if reply.closesConnection { fields[.connection] = "close" }
        return Response(status: reply.status, headers: fields, body: body)
    }
}
