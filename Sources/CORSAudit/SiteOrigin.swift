#if Tools
public import CORSBrowser

/// The origin of the audited site, from which probe origins are built: by default the target
/// URL's scheme, host and port; `--trusted-origin` names it instead.
public struct SiteOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// The lowercased host, without port.
    public var host: String
    /// The port, or `nil` for the scheme's default.
    public var port: Int?

    /// Parses a serialized origin or any absolute http(s) URL (its path is ignored).
    public init?(_ string: String) {
        guard let url = BrowserURL(string), url.isHTTP else { return nil }
        self.init(url)
    }

    /// The origin of `url`.
    public init(_ url: BrowserURL) {
        scheme = url.scheme
        host = url.host
        port = url.port
    }

    /// HOST as CORS-RULES.md uses it: the host with its port, if any.
    public var hostAndPort: String { host + (port.map { ":\($0)" } ?? "") }

    /// `scheme://host[:port]`.
    public var description: String { "\(scheme)://\(hostAndPort)" }
}
#endif
