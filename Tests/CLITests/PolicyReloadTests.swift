import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// `cors serve --policy FILE` puts a new version of the file in force, on a change and on SIGHUP,
/// while requests keep coming: none fails, and each client sees the old policy, then the new one,
/// never the old again.
@Suite(.serialized) struct PolicyReloadTests {
    static let onlyA = #"{ "origins": ["https://a.example"] }"#
    static let aAndB = #"{ "origins": ["https://a.example", "https://b.example"] }"#

    enum Server: String, CaseIterable, Sendable {
        case hummingbird, vapor, nio, gateway
    }

    enum Trigger: String, CaseIterable, Sendable {
        case fileChange, sighup
    }

    /// Starts `server` with `--policy file` (and an echo upstream for the gateway); the poll
    /// interval is long when the test reloads with SIGHUP, so only the signal can do it.
    static func start(_ server: Server, policy file: PolicyFileFixture, pollInterval: String) async throws -> (
        CORSProcess, CORSProcess?
    ) {
        let common = ["--policy", file.path, "--policy-poll-interval", pollInterval]
        switch server {
        case .gateway:
            let upstream = try await CORSProcess.serve(["--log-level", "warning"])
            let gateway = try await CORSProcess.serve(["--upstream", upstream.baseURL] + common)
            return (gateway, upstream)
        default:
            return (try await CORSProcess.serve(["--adapter", server.rawValue] + common), nil)
        }
    }

    /// Writes a new version of the policy file, with a modification time of its own so the change
    /// shows even on a file system with coarse timestamps.
    static func rewrite(_ file: PolicyFileFixture, _ contents: String, version: Int) throws {
        try contents.write(toFile: file.path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(version))], ofItemAtPath: file.path)
    }

    static func allowOrigin(_ base: String, origin: String) async throws -> (UInt, String?) {
        var request = HTTPClientRequest(url: base + "/load")
        request.headers.add(name: "Origin", value: origin)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, response.headers.first(name: "Access-Control-Allow-Origin"))
    }

    /// What the clients under load saw.
    final class Load: Sendable {
        struct Seen: Sendable {
            var requests = 0
            var failures: [String] = []
            /// A client that saw the new policy and then the old one again.
            var wentBack: [String] = []
        }
        let seen = Mutex(Seen())
        let stopped = Atomic(false)
        let (newPolicySeen, newPolicySeenContinuation) = AsyncStream<Void>.makeStream()
        let (running, runningContinuation) = AsyncStream<Void>.makeStream()

        /// One client: sequential requests from b.example until stopped.
        func client(_ base: String, index: Int) async {
            var sawNew = false
            while !stopped.load(ordering: .relaxed) {
                do {
                    let (status, allowOrigin) = try await PolicyReloadTests.allowOrigin(
                        base, origin: "https://b.example")
                    seen.withLock { seen in
                        seen.requests += 1
                        if status != 200 { seen.failures.append("client \(index): status \(status)") }
                        if allowOrigin == "https://b.example" {
                            sawNew = true
                        } else if sawNew {
                            seen.wentBack.append("client \(index): \(allowOrigin ?? "no ACAO") after the new policy")
                        }
                    }
                    if sawNew { newPolicySeenContinuation.yield() }
                    runningContinuation.yield()
                } catch {
                    seen.withLock { $0.failures.append("client \(index): \(error)") }
                }
            }
        }
    }

    /// Runs four clients against `base`, calls `swap` once every client has been answered, then
    /// waits until a client sees the new policy.
    static func underLoad(_ base: String, swap: () async throws -> Void) async throws -> Load.Seen {
        let load = Load()
        let clients = 4
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<clients { group.addTask { await load.client(base, index: index) } }
            var answered = 0
            for await _ in load.running {
                answered += 1
                if answered >= clients { break }
            }
            try await swap()
            for await _ in load.newPolicySeen { break }
            // A few more rounds under the new policy, counted, not timed.
            let target = load.seen.withLock { $0.requests } + 4 * clients
            for await _ in load.running where load.seen.withLock({ $0.requests }) >= target { break }
            load.stopped.store(true, ordering: .relaxed)
            try await group.waitForAll()
            return load.seen.withLock { $0 }
        }
    }

    @Test(arguments: Server.allCases, Trigger.allCases)
    func aNewPolicySwapsInUnderLoadWithNoFailedRequest(server: Server, trigger: Trigger) async throws {
        let file = try PolicyFileFixture(Self.onlyA)
        defer { file.remove() }
        let (process, upstream) = try await Self.start(
            server, policy: file, pollInterval: trigger == .sighup ? "3600" : "0.05")
        defer {
            process.stop()
            upstream?.stop()
        }
        await process.waitForStandardError(containing: "watching \(file.path) for changes")
        #expect(process.standardError.contains("policy in force: \(file.path), version 1 (fnv1a64 "))

        let seen = try await Self.underLoad(process.baseURL) {
            try Self.rewrite(file, Self.aAndB, version: 2)
            if trigger == .sighup { kill(process.processIdentifier, SIGHUP) }
            await process.waitForStandardError(containing: "version 2 (fnv1a64 ")
        }

        #expect(seen.failures == [])
        #expect(seen.wentBack == [])
        #expect(seen.requests > 8)
        #expect(process.standardError.contains("policy in force: \(file.path), version 2 (fnv1a64 "))
        // The origin the new version added is allowed for preflights too.
        var preflight = HTTPClientRequest(url: process.baseURL + "/load")
        preflight.method = .OPTIONS
        preflight.headers.add(name: "Origin", value: "https://b.example")
        preflight.headers.add(name: "Access-Control-Request-Method", value: "PUT")
        let answer = try await HTTPClient.shared.execute(preflight, timeout: .seconds(30))
        #expect(answer.status == .noContent)
        #expect(answer.headers.first(name: "Access-Control-Allow-Origin") == "https://b.example")
    }

    @Test(arguments: [Server.hummingbird, .gateway])
    func anInvalidVersionIsLoggedProblemByProblemAndTheOldPolicyStays(server: Server) async throws {
        let file = try PolicyFileFixture(Self.onlyA)
        defer { file.remove() }
        let (process, upstream) = try await Self.start(server, policy: file, pollInterval: "0.05")
        defer {
            process.stop()
            upstream?.stop()
        }
        await process.waitForStandardError(containing: "watching \(file.path) for changes")

        try Self.rewrite(file, #"{ "origins": ["*", "https://a.example/x"], "credentials": true }"#, version: 2)
        let log = await process.waitForStandardError(containing: "is not a valid policy")
        #expect(log.contains("keeping version 1 (fnv1a64 "))
        #expect(log.contains("3 problem(s):"))
        await process.waitForStandardError(containing: "origins[1]: 'https://a.example/x' has a path")
        #expect(CORSProcess.lines(of: process.standardError, containing: "origins[0]:") == 2)

        let (status, allowOrigin) = try await Self.allowOrigin(process.baseURL, origin: "https://a.example")
        #expect(status == 200)
        #expect(allowOrigin == "https://a.example")
        #expect(try await Self.allowOrigin(process.baseURL, origin: "https://z.example").1 == nil)

        // Fixed, it is put in force as version 2: refused versions don't count.
        try Self.rewrite(file, Self.aAndB, version: 3)
        let fixed = await process.waitForStandardError(containing: "version 2 (fnv1a64 ")
        // Many polls saw the refused version; it was reported once.
        #expect(CORSProcess.lines(of: fixed, containing: "is not a valid policy") == 1)
        #expect(try await Self.allowOrigin(process.baseURL, origin: "https://b.example").1 == "https://b.example")
    }

    @Test func sighupWithAnUnchangedFileSaysSo() async throws {
        let file = try PolicyFileFixture(Self.onlyA)
        defer { file.remove() }
        let (process, _) = try await Self.start(.hummingbird, policy: file, pollInterval: "3600")
        defer { process.stop() }
        await process.waitForStandardError(containing: "watching \(file.path) for changes")
        kill(process.processIdentifier, SIGHUP)
        let log = await process.waitForStandardError(containing: "policy unchanged: \(file.path), version 1")
        #expect(!log.contains("version 2"))
    }

    @Test func aRemovedFileKeepsThePolicyAndSaysWhy() async throws {
        let file = try PolicyFileFixture(Self.onlyA)
        let (process, _) = try await Self.start(.hummingbird, policy: file, pollInterval: "3600")
        defer { process.stop() }
        await process.waitForStandardError(containing: "watching \(file.path) for changes")
        file.remove()
        kill(process.processIdentifier, SIGHUP)
        let log = await process.waitForStandardError(containing: "cannot reload \(file.path)")
        #expect(log.contains("keeping version 1"))
        #expect(try await Self.allowOrigin(process.baseURL, origin: "https://a.example").1 == "https://a.example")
    }

    @Test func theDevelopmentPolicyIsNamedWhenThereIsNoFile() async throws {
        let process = try await CORSProcess.serve([])
        defer { process.stop() }
        await process.waitForStandardError(containing: "policy in force: the development policy")
        #expect(!process.standardError.contains("watching"))
    }
}
