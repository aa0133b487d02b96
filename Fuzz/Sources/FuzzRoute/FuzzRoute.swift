import CORS
import FuzzSupport
import HTTPTypes

// Route patterns and route choice. Input: pattern, LF, pattern, LF, request path. A route allows
// only its own origin, so the decision says which route the path chose.
func oneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let parts = FuzzInput(fuzzBytes(start, count)).lines(limit: 3)
    guard parts.count == 3 else { return 0 }
    let patterns = [parts[0].text, parts[1].text]
    let path = parts[2].text
    for caseInsensitive in [false, true] {
        let routes = patterns.enumerated().map { index, pattern in
            CORSRouteConfiguration(path: pattern, origins: ["https://r\(index).example"])
        }
        let configuration = CORSConfiguration(
            origins: ["https://top.example"], caseInsensitivePaths: caseInsensitive, routes: routes)
        guard let policy = try? CORSPolicy(configuration) else { continue }
        for origin in ["https://r0.example", "https://r1.example", "https://top.example"] {
            var fields = HTTPFields()
            fields[.origin] = origin
            checkDecision(decideNow(policy, method: .get, path: path, fields: fields), request: fields)
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt { oneInput(start, count) }

@_cdecl("FuzzRoute_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { oneInput($0, $1) }
}
