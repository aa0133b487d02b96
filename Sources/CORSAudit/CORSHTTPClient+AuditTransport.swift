#if Tools
public import CORSCheck
import HTTPTypes

/// `cors check`'s HTTP client sends audit requests: exactly as given, no redirects followed, no
/// cookies added, bodies dropped.
extension CORSHTTPClient: AuditTransport {
    public func send(_ request: AuditRequest) async throws -> AuditResponse {
        let response = try await send(method: request.method.rawValue, url: request.url, headers: request.headerFields)
        return AuditResponse(status: response.status, headerFields: response.headerFields)
    }
}
#endif
