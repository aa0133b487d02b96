import CORS
import FuzzSupport
import HTTPTypes

// A whole request against a policy using every feature: method line, path line, then header
// fields (`Access-Control-Request-Headers` exercises the header-list scan).
let policy: CORSPolicy = {
    let configuration = CORSConfiguration(
        origins: ["https://app.example.com", "https://*.tenant.example", "regex:^https://[a-z]+\\.example\\.org$"],
        methods: ["GET", "POST", "PUT", "DELETE"],
        allowedHeaders: ["content-type", "x-request-id", "authorization"],
        exposedHeaders: ["x-total"],
        credentials: true,
        maxAge: 600,
        privateNetwork: true,
        routes: [
            CORSRouteConfiguration(path: "/public/**", origins: ["*"], credentials: false),
            CORSRouteConfiguration(path: "/admin/**", origins: ["https://admin.example.com"]),
            CORSRouteConfiguration(path: "/api/*/items", allowedHeaders: ["*"], credentials: false),
        ])
    return try! CORSPolicy(configuration)
}()

func oneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let lines = FuzzInput(fuzzBytes(start, count)).lines()
    guard lines.count >= 2 else { return 0 }
    guard let method = HTTPRequest.Method(lines[0].text) else { return 0 }
    let fields = FuzzInput.fields(from: lines.dropFirst(2))
    checkDecision(decideNow(policy, method: method, path: lines[1].text, fields: fields), request: fields)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt { oneInput(start, count) }

@_cdecl("FuzzRequest_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { oneInput($0, $1) }
}
