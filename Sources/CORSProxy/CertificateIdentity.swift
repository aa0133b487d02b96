import CORSNIO
import NIOCore
import NIOSSL

/// The name check a browser makes on an `https://name/` upstream, on top of NIOSSL's.
///
/// NIOSSL's own check also accepts a certificate that names the *connected address* in an IP
/// subjectAltName, or (with no subjectAltName at all) a matching common name, and partial
/// wildcards such as `f*.example.com`. Browsers accept none of these for a host name: with
/// anyone able to get a certificate for an address they hold, someone who can steer a name's
/// lookup to their address could otherwise pass as that name. Here a named upstream's certificate
/// must carry the name in a DNS subjectAltName (RFC 6125 §6.4; Chromium also refuses wildcards
/// over public suffixes such as `*.co.uk`, which CAs may not issue and this check does not know).
enum CertificateIdentity {
    /// A TLS client handler for `serverName`. With full verification (the default) its handshake
    /// fails, before any request is sent, unless the verified leaf certificate names the host; a
    /// configuration that turned hostname verification off, or all verification, is taken at its
    /// word. Uses NIOSSL's additional-verification hook, underscored: a NIOSSL release that changes
    /// it fails this package's build, not silently its check.
    static func clientHandler(context: NIOSSLContext, serverName: String) throws -> NIOSSLClientHandler {
        guard context.configuration.certificateVerification == .fullVerification else {
            // NIOSSL refuses the hook without verification (a precondition, even in release builds).
            return try NIOSSLClientHandler(context: context, serverHostname: serverName)
        }
        let host = Array(serverName.utf8)
        return try NIOSSLClientHandler._makeSSLClientHandler(context: context, serverHostname: serverName) {
            leaf, channel in
            let dnsNames = leaf._subjectAlternativeNames().filter { $0.nameType == .dnsName }.map { Array($0.contents) }
            if dnsNames.contains(where: { matches(pattern: $0, host: host) }) {
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            return channel.eventLoop.makeFailedFuture(
                CertificateNameMismatch(
                    host: serverName, dnsNames: dnsNames.map { String(decoding: $0, as: UTF8.self) }))
        }
    }

    /// Whether a certificate's DNS name `pattern` covers `host` (both as bytes): equal ignoring
    /// ASCII case (and a final dot), or `*.` followed by at least two labels, where `*` stands for
    /// exactly one whole, non-empty label of `host`. Names with empty labels or bytes outside
    /// letters, digits, `-`, `_` and `.` (the `*` of a wildcard aside) cover nothing.
    static func matches(pattern: [UInt8], host: [UInt8]) -> Bool {
        guard let host = wellFormed(host[...]), let pattern = wellFormed(pattern[...], wildcard: true) else {
            return false
        }
        guard pattern.first == UInt8(ascii: "*") else { return equalIgnoringCase(pattern, host) }
        let rest = pattern.dropFirst()
        // `*.` then a name with a dot in it: `*.example.com`, never `*.com`, `*`, `f*.example.com`.
        guard rest.first == UInt8(ascii: "."), rest.dropFirst().contains(UInt8(ascii: ".")),
            !rest.contains(UInt8(ascii: "*")), let firstDot = host.firstIndex(of: UInt8(ascii: "."))
        else { return false }
        return equalIgnoringCase(rest, host[firstDot...])
    }

    static func matches(pattern: String, host: String) -> Bool {
        matches(pattern: Array(pattern.utf8), host: Array(host.utf8))
    }

    /// `name` without a final dot, when it is a plain DNS name: non-empty labels of host bytes
    /// (and, for a pattern, `*`s, which `matches` then places).
    private static func wellFormed(_ name: ArraySlice<UInt8>, wildcard: Bool = false) -> ArraySlice<UInt8>? {
        let name = name.last == UInt8(ascii: ".") ? name.dropLast() : name
        guard !name.isEmpty else { return nil }
        var labelLength = 0
        for byte in name {
            if byte == UInt8(ascii: ".") {
                if labelLength == 0 { return nil }
                labelLength = 0
            } else if URLByte.isHostByte(byte) || (wildcard && byte == UInt8(ascii: "*")) {
                labelLength += 1
            } else {
                return nil
            }
        }
        return labelLength == 0 ? nil : name
    }

    private static func equalIgnoringCase(_ first: ArraySlice<UInt8>, _ second: ArraySlice<UInt8>) -> Bool {
        first.count == second.count && zip(first, second).allSatisfy { ASCII.lower($0) == ASCII.lower($1) }
    }
}

/// The upstream's certificate is trusted but names another host: refused like a failed handshake.
struct CertificateNameMismatch: Error, CustomStringConvertible {
    let host: String
    let dnsNames: [String]

    var description: String {
        dnsNames.isEmpty
            ? "its certificate names no host (a DNS subjectAltName is required for \(host))"
            : "its certificate names \(dnsNames.joined(separator: ", ")), not \(host)"
    }
}
