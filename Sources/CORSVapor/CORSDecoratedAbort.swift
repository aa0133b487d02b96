#if Vapor
import CORS
import CORSNIO
import HTTPTypes
import Vapor

/// Carries a thrown error past the middleware as an `AbortError` whose headers include the
/// policy's, so the response Vapor's `ErrorMiddleware` makes from it keeps its CORS headers.
/// Status and reason are the ones `ErrorMiddleware.default` would have used for the original.
struct CORSDecoratedAbort: AbortError, CustomStringConvertible {
    let original: any Error
    let status: HTTPResponseStatus
    let reason: String
    let headers: HTTPHeaders

    init(original: any Error, decision: CORSDecision, isRelease: Bool) {
        self.original = original
        var headers: HTTPHeaders
        switch original {
        case let abort as any AbortError:
            (status, reason, headers) = (abort.status, abort.reason, abort.headers)
        case let debuggable as any DebuggableError:
            (status, reason, headers) = (.internalServerError, debuggable.reason, [:])
        default:
            (status, reason, headers) = (
                .internalServerError, isRelease ? "Something went wrong." : String(describing: original), [:]
            )
        }
        headers.apply(decision)
        self.headers = headers
    }

    var description: String { String(describing: original) }
}
#endif
