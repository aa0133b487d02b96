/// Which methods a preflight may ask for.
///
/// Compared byte for byte, as browsers do: `PATCH` does not allow a page's `patch`.
/// Safelisted methods always pass (https://fetch.spec.whatwg.org/#cors-preflight-fetch, step 7.5).
struct MethodRule: Sendable {
    var allowsAnyMethod: Bool
    var methods: ByteStringSet

    func allows(_ method: UnsafeBufferPointer<UInt8>) -> Bool {
        allowsAnyMethod || FetchMethods.isSafelisted(method) || methods.contains(method)
    }
}
