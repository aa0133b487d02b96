import CORS
import CORSPolicyFile
import FuzzSupport

// A policy file in YAML: read, validate, and when valid, compile and decide a request.
func oneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    checkPolicyFile(FuzzInput(fuzzBytes(start, count)).text, format: .yaml)
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt { oneInput(start, count) }

@_cdecl("FuzzPolicyYAML_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { oneInput($0, $1) }
}
