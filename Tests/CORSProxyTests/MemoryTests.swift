import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import CORSProxy

extension Tag {
    /// Long-running: 10,000 proxied requests. Filter with `--filter MemoryTests` or skip it.
    @Tag static var memory: Self
}

/// cors-anywhere's memory test, ten times over, for the proxy and the gateway: requests with
/// 50 KB of header fields must not grow the process.
@Suite(.tags(.memory)) struct MemoryTests {
    static func residentBytes() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    enum Server: String, CaseIterable, Sendable {
        case proxy, gateway
    }

    @Test(.timeLimit(.minutes(10)), arguments: Server.allCases)
    func tenThousandRequestsWithFiftyKilobyteHeaders(_ server: Server) async throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/statm") else { return }
        try await withUpstream { port in
            let underTest: ServerUnderTest
            let uri: String
            switch server {
            case .proxy:
                underTest = makeProxy()
                uri = "/http://upstream.test:\(port)/bytes/16"
            case .gateway:
                underTest = try GatewayTests.gateway(port: port)
                uri = "/bytes/16"
            }
            try await underTest.test(.live) { client in
                var headers: HTTPFields = [.origin: "http://app.test"]
                headers[HTTPField.Name("X-Pad")!] = String(repeating: "p", count: 50 * 1024)
                for _ in 0..<1000 {
                    let response = try await client.execute(uri: uri, method: .get, headers: headers)
                    #expect(response.status == .ok)
                }
                let before = Self.residentBytes()
                for _ in 0..<9000 {
                    let response = try await client.execute(uri: uri, method: .get, headers: headers)
                    if response.status != .ok {
                        Issue.record("status \(response.status)")
                        break
                    }
                }
                let growth = Self.residentBytes() - before
                print(
                    "memory (\(server)): RSS grew by \(growth) bytes over 9,000 requests after 1,000 warm-up requests")
                #expect(growth < 16 * 1024 * 1024, "RSS grew by \(growth) bytes")
            }
        }
    }
}
