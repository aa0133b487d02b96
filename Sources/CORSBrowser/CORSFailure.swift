/// Why a browser blocks a response: Chromium's code, CDP's `failedParameter`, and the fix.
public struct CORSFailure: Error, Sendable, Hashable {
    /// Chromium's `Network.CorsError`.
    public var code: CORSErrorCode
    /// `corsErrorStatus.failedParameter` as CDP reports it: the ACAO value for
    /// `AllowOriginMismatch`, the ACAC value for `InvalidAllowCredentials` (`""` when absent),
    /// the method, the lowercased header name..., `""` when the code has none.
    public var failedParameter: String
    /// One sentence naming the header the server must send and its value.
    public var fix: String
    /// The address space of a Private Network Access failure (used in the console text).
    public var addressSpace: AddressSpace

    /// Creates a failure.
    public init(_ code: CORSErrorCode, failedParameter: String = "", fix: String, addressSpace: AddressSpace = .private)
    {
        self.code = code
        self.failedParameter = failedParameter
        self.fix = fix
        self.addressSpace = addressSpace
    }

    /// The console text after "blocked by CORS policy: ".
    public var consoleReason: String {
        code.consoleReason(failedParameter: failedParameter, addressSpace: addressSpace)
    }
}
