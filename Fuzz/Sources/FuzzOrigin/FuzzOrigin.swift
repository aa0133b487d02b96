import CORS
import FuzzSupport
import HTTPTypes

// Origin entries as a policy writes them (exact, `*.` wildcard, `regex:`), validated with and
// without credentials, then matched against a request's Origin. Input: entry, LF, request Origin.
func oneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let parts = FuzzInput(fuzzBytes(start, count)).lines(limit: 2)
    let entry = parts[0].text
    let requestOrigin = parts.count > 1 ? parts[1] : parts[0]
    for credentials in [false, true] {
        let configuration = CORSConfiguration(origins: [entry], credentials: credentials)
        let (problems, _) = CORSPolicy.validate(configuration)
        guard problems.isEmpty, let policy = try? CORSPolicy(configuration) else { continue }
        var fields = HTTPFields()
        fields.append(HTTPField(name: .origin, lenientValue: requestOrigin))
        checkDecision(decideNow(policy, method: .get, path: "/", fields: fields), request: fields)
        if entry == requestOrigin.text, !entry.hasPrefix("regex:"), !entry.contains("*") {
            require(
                decideNow(policy, method: .get, path: "/", fields: fields).isAllowed,
                "an exact entry does not allow itself: \(entry)")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt { oneInput(start, count) }

@_cdecl("FuzzOrigin_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { oneInput($0, $1) }
}
