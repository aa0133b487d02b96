import CORSSyntax

/// CORS-safelisted request-headers: the headers a page may set without causing a preflight
/// (https://fetch.spec.whatwg.org/#cors-safelisted-request-header).
public enum SafelistedRequestHeader {
    /// A safelisted value is at most this many bytes.
    public static let maximumValueLength = 128

    /// When the values of the safelisted headers of one request add up to more than this many
    /// bytes, they all count as unsafe (https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names).
    public static let maximumTotalLength = 1024

    /// Whether `(name, value)` is a CORS-safelisted request-header.
    ///
    /// `accept`: no CORS-unsafe byte; `accept-language` and `content-language`: only
    /// `0-9 A-Z a-z`, space and `*,-.;=`; `content-type`: no unsafe byte and a MIME essence of
    /// `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain` (parameters
    /// allowed); `range`: `bytes=N-` or `bytes=N-M` with `N ≤ M`, no whitespace. Any value
    /// longer than 128 bytes is not safelisted, and no other name is.
    public static func isSafelisted(name: String, value: String) -> Bool {
        isSafelisted(lowercasedName: HTTPSyntax.lowercased(name), value: RequestHeader(name, value).valueBytes)
    }

    static func isSafelisted(lowercasedName name: String, value: [UInt8]) -> Bool {
        guard value.count <= maximumValueLength else { return false }
        switch name {
        case "accept":
            return !value.contains(where: isUnsafeByte)
        case "accept-language", "content-language":
            return value.allSatisfy(isLanguageByte)
        case "content-type":
            guard !value.contains(where: isUnsafeByte), let essence = MIMEType.essence(of: value) else { return false }
            return essence == "application/x-www-form-urlencoded" || essence == "multipart/form-data"
                || essence == "text/plain"
        case "range":
            return SimpleRange.isSimple(value)
        default:
            return false
        }
    }

    /// A CORS-unsafe request-header byte (https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte):
    /// a control byte other than tab, `"():<>?@[\]{}`, or DEL.
    public static func isUnsafeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09: return false
        case 0x00..<0x20, 0x7F: return true
        case UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ":"), UInt8(ascii: "<"),
            UInt8(ascii: ">"), UInt8(ascii: "?"), UInt8(ascii: "@"), UInt8(ascii: "["), UInt8(ascii: "\\"),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default: return false
        }
    }

    /// The CORS-unsafe request-header names of `headers` as a sorted-lowercase set
    /// (https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names): names whose header is
    /// not safelisted, plus every safelisted name when the safelisted values exceed 1024 bytes.
    /// Headers must already be combined per name (see ``RequestAnalysis``).
    public static func unsafeNames(in headers: [RequestHeader]) -> [String] {
        var unsafe = Set<String>()
        var potentiallyUnsafe = Set<String>()
        var safelistedSize = 0
        for header in headers {
            let name = header.lowercasedName
            let value = header.valueBytes
            if isSafelisted(lowercasedName: name, value: value) {
                potentiallyUnsafe.insert(name)
                safelistedSize += value.count
            } else {
                unsafe.insert(name)
            }
        }
        if safelistedSize > maximumTotalLength {
            unsafe.formUnion(potentiallyUnsafe)
        }
        return unsafe.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    private static func isLanguageByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"):
            return true
        case UInt8(ascii: " "), UInt8(ascii: "*"), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default: return false
        }
    }
}
