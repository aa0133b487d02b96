import CORSSyntax

/// How long each engine keeps a preflight result for a given `Access-Control-Max-Age`
/// (https://fetch.spec.whatwg.org/#http-access-control-max-age), in seconds; `0` means the
/// result is used for this request only and not cached.
///
/// - Chromium (services/network/cors/preflight_result.cc, `ParseAccessControlMaxAge`): absent or
///   not an integer → 5; negative → 0; capped at 7200.
/// - Firefox (nsCORSListenerProxy.cpp, `AddResultToCache`): absent or empty → 5; any byte other
///   than a digit → 0; capped at 86400.
/// - WebKit (CrossOriginPreflightResultCache.cpp): absent or not an unsigned integer (negative
///   included) → 5; capped at 600.
public struct PreflightCacheLifetimes: Sendable, Hashable {
    /// The default lifetime when no valid `Access-Control-Max-Age` is sent.
    public static let defaultLifetime = 5
    /// Chromium's cap.
    public static let chromiumCap = 7200
    /// Firefox's cap.
    public static let firefoxCap = 86400
    /// WebKit's cap.
    public static let webKitCap = 600

    /// Seconds Chromium caches the result.
    public var chromium: Int
    /// Seconds Firefox caches the result.
    public var firefox: Int
    /// Seconds WebKit (Safari) caches the result.
    public var webKit: Int

    /// Lifetimes for an `Access-Control-Max-Age` value (`nil` when the header is absent; several
    /// field lines arrive combined as `a, b`, which no engine parses).
    public init(maxAge: String?) {
        chromium = Self.chromiumLifetime(maxAge)
        firefox = Self.firefoxLifetime(maxAge)
        webKit = Self.webKitLifetime(maxAge)
    }

    /// Warnings about a value: more than 86400 is a configuration error (every engine caps it),
    /// more than 7200 is capped by Chromium, a non-integer is ignored.
    public static func warnings(maxAge: String?) -> [String] {
        guard let maxAge else { return [] }
        guard let seconds = Int64(maxAge), maxAge.utf8.first != UInt8(ascii: "+") else {
            return [
                "Access-Control-Max-Age '\(maxAge)' is not a number of seconds: Chromium and WebKit cache the"
                    + " preflight for 5 s, Firefox not at all. Send digits only, e.g. `Access-Control-Max-Age: 600`."
            ]
        }
        if seconds > Int64(firefoxCap) {
            return [
                "Access-Control-Max-Age \(seconds) exceeds every browser's cap (Chromium 7200, Firefox 86400,"
                    + " WebKit 600): send at most 7200."
            ]
        }
        if seconds > Int64(chromiumCap) {
            return ["Access-Control-Max-Age \(seconds) is capped to 7200 by Chromium and 600 by WebKit."]
        }
        if seconds < 0 {
            return ["Access-Control-Max-Age \(seconds) is negative: the preflight is not cached."]
        }
        return []
    }

    static func chromiumLifetime(_ value: String?) -> Int {
        guard let value else { return defaultLifetime }
        var digits = Substring(value)
        var negative = false
        if digits.hasPrefix("-") {
            negative = true
            digits = digits.dropFirst()
        } else if digits.hasPrefix("+") {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let magnitude = Int64(digits)
        else { return defaultLifetime }
        if negative { return 0 }
        return Int(min(magnitude, Int64(chromiumCap)))
    }

    static func firefoxLifetime(_ value: String?) -> Int {
        guard let value, !value.isEmpty else { return defaultLifetime }
        var age = 0
        for byte in value.utf8 {
            guard (0x30...0x39).contains(byte) else { return 0 }
            age = min(age * 10 + Int(byte - 0x30), firefoxCap)
        }
        return age
    }

    static func webKitLifetime(_ value: String?) -> Int {
        guard let value else { return defaultLifetime }
        var digits = Substring(HTTPSyntax.trimmed(value))
        if digits.hasPrefix("+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = UInt32(digits)
        else { return defaultLifetime }
        return Int(min(seconds, UInt32(webKitCap)))
    }
}
