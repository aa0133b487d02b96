#if Tools
import AsyncHTTPClient
import CORSBrowser
import CORSNIO
public import HTTPTypes
import NIOCore
import NIOHTTP1
package import NIOSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP(S) client for CORS work: sends one request exactly as given and returns the
/// status and header fields. It never follows redirects (the caller decides, as a browser's
/// CORS logic does), never decompresses, sends no cookies, and reads at most
/// ``Configuration-swift.struct/maximumBodyBytes`` of a body before dropping the connection.
///
/// ```swift
/// try await CORSHTTPClient.withClient { client in
///     var headers = HTTPFields()
///     headers[.origin] = "https://evil.example"
///     let response = try await client.send(method: "GET", url: "https://api.example.com/", headers: headers)
///     print(response.status, response.headerFields[.accessControlAllowOrigin] ?? "-")
/// }
/// ```
///
/// Every failure is a ``CORSCheckError`` with a message for a person. Call ``shutdown()`` when
/// done (or use ``withClient(configuration:_:)``).
public struct CORSHTTPClient: Sendable {
    /// Timeouts and limits.
    public struct Configuration: Sendable, Hashable {
        /// Time to establish a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// Time for a whole request, from sending to the end of the response head.
        public var requestTimeout: Duration
        /// Bytes of a response body read (and discarded) before the connection is dropped.
        public var maximumBodyBytes: Int
        /// `User-Agent` added when the request has none; `nil` adds none.
        public var userAgent: String?

        /// Creates a configuration.
        public init(
            connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(30),
            maximumBodyBytes: Int = 1 << 20,
            userAgent: String? = "swift-cors-check"
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maximumBodyBytes = maximumBodyBytes
            self.userAgent = userAgent
        }
    }

    /// A response head.
    public struct Response: Sendable, Hashable {
        /// The status code.
        public var status: Int
        /// The reason phrase the server sent (`OK`, `No Content`...).
        public var reasonPhrase: String
        /// `HTTP/1.1`, `HTTP/2`...
        public var version: String
        /// The header fields, in order, repeated names kept.
        public var headerFields: HTTPFields

        /// Creates a response.
        public init(status: Int, reasonPhrase: String = "", version: String = "HTTP/1.1", headerFields: HTTPFields) {
            self.status = status
            self.reasonPhrase = reasonPhrase
            self.version = version
            self.headerFields = headerFields
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let client: HTTPClient
    private let tlsConfiguration: TLSConfiguration
    /// `host:port` of the `https` servers whose certificate passed ``CertificateNameProbe`` (or
    /// whose handshake failed, which the requests report): probed once per client.
    private let probedServers = ProbedServers()

    /// Creates a client; call ``shutdown()`` when done.
    public init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration, tlsConfiguration: .makeClientConfiguration())
    }

    /// A client trusting what `tlsConfiguration` trusts (tests: their own CA).
    package init(configuration: Configuration, tlsConfiguration: TLSConfiguration) {
        self.configuration = configuration
        self.tlsConfiguration = tlsConfiguration
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tlsConfiguration,
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.requestTimeout)),
            decompression: .disabled
        )
        // Fail at once when the server is not there, instead of retrying until the timeout.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    }

    /// Runs `body` with a new client and shuts it down afterwards.
    public static func withClient<Result: Sendable>(
        configuration: Configuration = Configuration(),
        _ body: (CORSHTTPClient) async throws -> Result
    ) async throws -> Result {
        let client = CORSHTTPClient(configuration: configuration)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        return result
    }

    /// Closes the connections. The client cannot be used afterwards.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one request without a body and returns the response head.
    ///
    /// - Parameters:
    ///   - method: the method, sent byte for byte (`patch` stays `patch`).
    ///   - url: an absolute `http:` or `https:` URL.
    ///   - headers: the header fields to send (`Host` and `Content-Length` are added as needed).
    /// - Throws: ``CORSCheckError`` for a bad URL or method, or when the network fails.
    public func send(method: String, url: String, headers: HTTPFields) async throws(CORSCheckError) -> Response {
        try Self.validate(url: url)
        guard HTTPRequest.Method(method) != nil else {
            throw CORSCheckError(.invalidRequest, "'\(method)' is not a valid HTTP method (a token such as GET).")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for field in headers {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        if let userAgent = configuration.userAgent, !headers.contains(.userAgent) {
            request.headers.add(name: "User-Agent", value: userAgent)
        }
        try await checkCertificateName(method: method, url: url)
        do {
            let response = try await client.execute(request, timeout: TimeAmount(configuration.requestTimeout))
            var fields = HTTPFields()
            for (name, value) in response.headers {
                if let fieldName = HTTPField.Name(name) {
                    fields.append(HTTPField(name: fieldName, value: value))
                }
            }
            var received = 0
            for try await chunk in response.body {
                received += chunk.readableBytes
                if received > configuration.maximumBodyBytes { break }
            }
            return Response(
                status: Int(response.status.code),
                reasonPhrase: response.status.reasonPhrase,
                version: "HTTP/\(response.version.major)"
                    + (response.version.major < 2 ? ".\(response.version.minor)" : ""),
                headerFields: fields
            )
        } catch {
            throw Self.describe(error, method: method, url: url, configuration: configuration)
        }
    }

    /// For an `https` URL: fails as Chromium would when the server's certificate does not name
    /// its host the way browsers require (see ``CertificateNameProbe``).
    private func checkCertificateName(method: String, url: String) async throws(CORSCheckError) {
        guard let parsed = BrowserURL(url), parsed.scheme == "https",
            let target = CertificateNameProbe.Target(host: parsed.host)
        else { return }
        let port = parsed.port ?? 443
        let server = "\(parsed.host):\(port)"
        guard !probedServers.contains(server) else { return }
        if let mismatch = await CertificateNameProbe.check(
            target, port: port, configuration: tlsConfiguration, timeout: TimeAmount(configuration.connectTimeout))
        {
            let named =
                mismatch.names.isEmpty
                ? "it names no host in its subjectAltName (a common name alone is not enough)"
                : "it names \(mismatch.names.joined(separator: ", ")) but not \(mismatch.host)"
            throw CORSCheckError(
                .tlsFailure,
                "\(method) \(url): Chromium refuses this server's certificate (net::ERR_CERT_COMMON_NAME_INVALID):"
                    + " \(named). Browsers accept only a subjectAltName naming the host (a DNS name for a host"
                    + " name, the address for an IP address), so the page's fetch fails before any CORS check."
                    + " Reissue the certificate with \(mismatch.host) in its subjectAltName.")
        }
        probedServers.insert(server)
    }

    /// Checks that `url` is an absolute `http:`/`https:` URL with a host and without credentials.
    static func validate(url: String) throws(CORSCheckError) {
        let lowercased = url.lowercased()
        guard lowercased.hasPrefix("http://") || lowercased.hasPrefix("https://") else {
            throw CORSCheckError(
                .invalidURL,
                "'\(url)' is not an http:// or https:// URL: give the absolute URL the page fetches,"
                    + " e.g. https://api.example.com/items."
            )
        }
        guard let parsed = BrowserURL(url), parsed.isHTTP else {
            throw CORSCheckError(.invalidURL, "'\(url)' is not a valid URL (check the host and port).")
        }
        guard parsed.userinfo == nil else {
            throw CORSCheckError(
                .invalidURL,
                "'\(url)' contains user:password@, which fetch() refuses: remove it (use an Authorization header)."
            )
        }
    }

    /// Turns an AsyncHTTPClient/NIO error into a sentence naming what failed.
    static func describe(_ error: any Error, method: String, url: String, configuration: Configuration)
        -> CORSCheckError
    {
        let target = "\(method) \(url)"
        if let error = error as? CORSCheckError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout:
                return CORSCheckError(
                    .timeout, "\(target): no connection within \(configuration.connectTimeout) (connect timeout).")
            case .deadlineExceeded, .readTimeout:
                return CORSCheckError(
                    .timeout, "\(target): no complete answer within \(configuration.requestTimeout).")
            case .tlsHandshakeTimeout:
                return CORSCheckError(.timeout, "\(target): the TLS handshake timed out.")
            case .remoteConnectionClosed:
                return CORSCheckError(
                    .connectionClosed, "\(target): the server closed the connection before answering.")
            case .invalidURL, .emptyHost, .emptyScheme:
                return CORSCheckError(.invalidURL, "'\(url)' is not a URL that can be fetched (\(error)).")
            default:
                return CORSCheckError(.other, "\(target): \(error).")
            }
        }
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("NIOSSL") || typeName.contains("BoringSSL") {
            return CORSCheckError(
                .tlsFailure,
                "\(target): TLS failed: \(error). Check the certificate (expired, self-signed, wrong host name)"
                    + " and that the port speaks TLS."
            )
        }
        if typeName.hasSuffix("NIOConnectionError") {
            let children = Mirror(reflecting: error).children
            let failures = children.first { $0.label == "connectionErrors" }.map { Mirror(reflecting: $0.value) }
            let dnsFailed = children.contains { ($0.label ?? "").hasPrefix("dns") && !isNil($0.value) }
            if dnsFailed && (failures?.children.isEmpty ?? true) {
                return CORSCheckError(.hostNotFound, "\(target): the host name does not resolve.")
            }
            let reason = firstIOError(in: error).map(errnoText) ?? "\(error)"
            return CORSCheckError(.connectionFailed, "\(target): could not connect: \(reason).")
        }
        if let ioError = firstIOError(in: error) {
            return CORSCheckError(.connectionFailed, "\(target): could not connect: \(errnoText(ioError)).")
        }
        if let parserError = error as? HTTPParserError {
            return CORSCheckError(
                .invalidResponse, "\(target): the answer is not valid HTTP: \(parserError.explanation).")
        }
        return CORSCheckError(.other, "\(target): \(error)")
    }

    private static func errnoText(_ error: IOError) -> String {
        let code = error.errnoCode
        if let text = strerror(code) {
            return String(cString: text) + " (errno \(code))"
        }
        return "errno \(code)"
    }

    /// The first `IOError` inside `value` (NIO nests it in connection-attempt reports).
    private static func firstIOError(in value: Any, depth: Int = 0) -> IOError? {
        if let error = value as? IOError { return error }
        guard depth < 6 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = firstIOError(in: child.value, depth: depth + 1) { return found }
        }
        return nil
    }

    private static func isNil(_ value: Any) -> Bool {
        let mirror = Mirror(reflecting: value)
        return mirror.displayStyle == .optional && mirror.children.isEmpty
    }
}

/// The servers a client already probed; shared by its copies.
private final class ProbedServers: Sendable {
    private let servers = Mutex<Set<String>>([])

    func contains(_ server: String) -> Bool {
        servers.withLock { $0.contains(server) }
    }

    func insert(_ server: String) {
        servers.withLock { _ = $0.insert(server) }
    }
}
#endif
