#if NIO
public import NIOHTTP1

extension HTTPParserError {
    /// What was wrong with the bytes, in words: NIO's own description names llhttp's internals
    /// (`unknown (http_parser error)`, `strict mode assertion`).
    public var explanation: String {
        switch self {
        case .invalidCharactersUsed, .invalidHeaderToken:
            "a header field has a character HTTP does not allow (control bytes, spaces in a name, a bare CR)"
        case .trailingGarbage: "bytes follow the message where none may"
        case .invalidEOFState: "the connection closed in the middle of a message"
        case .headerOverflow: "the header fields are too large"
        case .closedConnection: "data came after 'Connection: close'"
        case .invalidVersion: "the HTTP version is not HTTP/1.0 or HTTP/1.1"
        case .invalidStatus: "the status line is malformed"
        case .invalidMethod: "the method is not a valid token"
        case .invalidURL: "the request target is malformed"
        case .lfExpected: "a line does not end in CRLF"
        case .invalidContentLength: "Content-Length is not a single decimal number"
        case .unexpectedContentLength: "Content-Length is set together with Transfer-Encoding, or where no body may be"
        case .invalidChunkSize: "a chunk size in a chunked body is not a hex number"
        case .invalidConstant: "a fixed part of the syntax (like 'HTTP/' or ': ') is misspelt"
        case .strictModeAssertion, .invalidInternalState, .paused, .unknown:
            "the message breaks HTTP/1.1 framing (for example a line feed without CR, or a request where"
                + " none may follow)"
        default: "the message is not valid HTTP/1.1"
        }
    }
}
#endif
