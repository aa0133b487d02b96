import CORSSyntax

/// Parsing of `Access-Control-Allow-Methods`, `Access-Control-Allow-Headers` and
/// `Access-Control-Expose-Headers` values as `#token` lists.
///
/// Fetch (https://fetch.spec.whatwg.org/#http-new-header-syntax) defines them as
/// `#method`, `#field-name` and `#field-name`; a value that does not parse makes the preflight
/// a network error (https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7.3). Chromium's
/// `ParseAccessControlAllowList` (services/network/cors/preflight_result.cc) splits on `,`, trims
/// spaces and tabs around each item, skips empty items and requires every item to be a token.
public enum TokenList {
    /// The items of `value`, in order, or `nil` when an item is not a token.
    ///
    /// `"GET, , PUT"` gives `["GET", "PUT"]`; `"GET PUT"` and `"GET;PUT"` give `nil`; `""` gives `[]`.
    public static func parse(_ value: String) -> [String]? {
        var items: [String] = []
        for rawItem in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let item = rawItem.drop(while: isListWhitespace).reversed().drop(while: isListWhitespace).reversed()
            if item.isEmpty { continue }
            guard HTTPSyntax.isToken(item) else { return nil }
            items.append(String(decoding: item, as: UTF8.self))
        }
        return items
    }

    /// Parses every field line of `name` (Chromium combines them with `", "` first, so an
    /// unparsable line fails the whole list). `nil` header → `[]`.
    static func parse(_ value: String?) -> [String]? {
        guard let value else { return [] }
        return parse(value)
    }

    private static func isListWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }
}
