public import HTTPTypes

extension HTTPField.Name {
    /// `Access-Control-Request-Private-Network` (https://wicg.github.io/private-network-access/#headers).
    /// Not among swift-http-types' registered names.
    public static var accessControlRequestPrivateNetwork: Self {
        Self("Access-Control-Request-Private-Network")!
    }

    /// `Access-Control-Allow-Private-Network` (https://wicg.github.io/private-network-access/#headers).
    public static var accessControlAllowPrivateNetwork: Self {
        Self("Access-Control-Allow-Private-Network")!
    }

    /// `Sec-Fetch-Mode` (https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-mode-header).
    static var secFetchMode: Self { Self("Sec-Fetch-Mode")! }

    /// `Set-Cookie2`, never exposed to a page.
    static var setCookie2: Self { Self("Set-Cookie2")! }
}
