/// The IP address space a Private Network Access request targets, as Chromium names it in
/// its console messages (`ShortAddressSpace` in cors_error_string.cc).
/// See https://wicg.github.io/private-network-access/#ip-address-space.
public enum AddressSpace: String, Sendable, Hashable, CaseIterable {
    /// A private address (RFC 1918, unique local IPv6).
    case `private`
    /// A loopback address in the original PNA naming (`local`).
    case local
    /// The public internet.
    case `public`
}
