#if Tools
/// A TLS error as text for a 502's body or a startup message: BoringSSL's error descriptions end
/// each entry with the C source file and line it was raised at (` at /path/to/checkouts/…/handshake.cc:393`),
/// which says nothing to the reader and shows the build machine's paths to every client.
package enum TLSErrorText {
    package static func describe(_ error: any Error) -> String {
        var text = Substring(String(describing: error))
        var result = ""
        while let at = text.firstRange(of: " at /") {
            result += text[..<at.lowerBound]
            // The location runs to the end of the entry: `]`, `)`, `,` or the end of the text.
            let rest = text[at.upperBound...]
            let end = rest.firstIndex(where: { $0 == "]" || $0 == ")" || $0 == "," }) ?? rest.endIndex
            text = rest[end...]
        }
        return result + text
    }
}
#endif
