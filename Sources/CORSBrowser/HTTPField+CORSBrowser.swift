import HTTPTypes

extension HTTPField.Name {
    /// `Access-Control-Request-Private-Network` (https://wicg.github.io/private-network-access/#headers).
    /// Not among swift-http-types' registered names. Internal: the public name is the engine's
    /// (`CORS`), so a module importing both sees one.
    static var accessControlRequestPrivateNetwork: Self {
        Self("Access-Control-Request-Private-Network")!
    }

    /// `Access-Control-Allow-Private-Network` (https://wicg.github.io/private-network-access/#headers).
    static var accessControlAllowPrivateNetwork: Self {
        Self("Access-Control-Allow-Private-Network")!
    }

    /// `Sec-Fetch-Mode` (https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-mode-header).
    static var secFetchMode: Self { Self("Sec-Fetch-Mode")! }
}
