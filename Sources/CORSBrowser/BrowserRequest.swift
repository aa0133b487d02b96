/// What a page asks `fetch()` to do: the input of the browser model.
public struct BrowserRequest: Sendable, Hashable {
    /// The absolute URL fetched.
    public var url: String
    /// The page's serialized origin (`https://app.example.com`, or `null` for an opaque origin).
    public var origin: String
    /// The method as the page wrote it (normalized by the model).
    public var method: String
    /// The headers as the page set them, in order.
    public var headers: [RequestHeader]
    /// Whether the credentials mode is `include` (`credentials: 'include'`).
    public var credentials: Bool
    /// Whether the request targets a more private address space, so Private Network Access
    /// requires a preflight carrying `Access-Control-Request-Private-Network: true`
    /// (https://wicg.github.io/private-network-access/#cors-preflight).
    public var privateNetwork: Bool
    /// The address space named in Private Network Access console messages.
    public var targetAddressSpace: AddressSpace

    /// Creates a request description.
    public init(
        url: String,
        origin: String,
        method: String = "GET",
        headers: [RequestHeader] = [],
        credentials: Bool = false,
        privateNetwork: Bool = false,
        targetAddressSpace: AddressSpace = .private
    ) {
        self.url = url
        self.origin = origin
        self.method = method
        self.headers = headers
        self.credentials = credentials
        self.privateNetwork = privateNetwork
        self.targetAddressSpace = targetAddressSpace
    }
}
