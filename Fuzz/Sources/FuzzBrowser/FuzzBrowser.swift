import CORSBrowser
import FuzzSupport
import HTTPTypes

// The browser model reading a server's answers. Input: URL line, origin line, method line,
// a header line (`name: value`) for the page's request, then responses separated by an empty
// line, each a status line and header fields. The exchange must finish within Fetch's bound
// (20 redirects, a preflight before each hop).
func oneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let lines = FuzzInput(fuzzBytes(start, count)).lines()
    guard lines.count >= 4 else { return 0 }
    let pageHeaders = FuzzInput.fields(from: [lines[3]]).map { RequestHeader($0.name.rawName, $0.value) }
    let request = BrowserRequest(
        url: lines[0].text, origin: lines[1].text, method: lines[2].text, headers: pageHeaders,
        credentials: lines[2].first.map { $0 & 1 == 1 } ?? false)
    let responses = lines.dropFirst(4).split(whereSeparator: \.isEmpty).map { block in
        BrowserResponse(
            status: Int(block.first?.text ?? "") ?? 200, headerFields: FuzzInput.fields(from: block.dropFirst()))
    }
    var exchange = BrowserExchange(request)
    var sent = 0
    while exchange.nextRequest != nil {
        sent += 1
        require(sent <= 2 * 21 + 1, "the exchange did not finish after \(sent) requests")
        exchange.receive(responses.isEmpty ? BrowserResponse(status: 200) : responses[(sent - 1) % responses.count])
    }
    require(exchange.verdict != nil, "finished without a verdict")
    if let url = BrowserURL(lines[0].text) { _ = url.resolving(lines[1].text) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt { oneInput(start, count) }

@_cdecl("FuzzBrowser_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { oneInput($0, $1) }
}
