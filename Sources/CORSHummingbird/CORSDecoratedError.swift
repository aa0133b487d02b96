#if Hummingbird
import CORS
import HTTPTypes
import Hummingbird

/// Carries a thrown error out of the middleware so that the response it becomes still gets the
/// policy's CORS headers (otherwise the page can't read a 404 or 500).
struct CORSDecoratedError: HTTPResponseError {
    let original: any Error
    let decision: CORSDecision

    var status: HTTPResponse.Status {
        (original as? any HTTPResponseError)?.status ?? .internalServerError
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response: Response
        if let original = original as? any HTTPResponseError {
            response = try original.response(from: request, context: context)
        } else {
            response = Response(status: .internalServerError)
        }
        decision.apply(to: &response.headers)
        return response
    }
}
#endif
