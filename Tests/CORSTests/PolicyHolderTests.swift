import CORS
import HTTPTypes
import Testing

@Suite struct PolicyHolderTests {
    static func policy(_ origins: [String]) throws -> CORSPolicy {
        try CORSPolicy(CORSConfiguration(origins: origins))
    }

    /// The Access-Control-Allow-Origin a GET from `origin` gets under `policy`.
    static func allowOrigin(_ policy: CORSPolicy, for origin: String) -> String? {
        var fields = HTTPFields()
        fields[.origin] = origin
        guard case .decided(let decision) = policy.evaluate(method: .get, path: "/", headerFields: fields) else {
            return "needs a predicate"
        }
        var response = HTTPFields()
        decision.apply(to: &response)
        return response[.accessControlAllowOrigin]
    }

    @Test func replacementAppliesToWhatIsReadAfterIt() throws {
        let holder = CORSPolicyHolder(try Self.policy(["https://a.example"]))
        #expect(holder.generation == 0)
        let before = holder.current
        #expect(Self.allowOrigin(holder.current, for: "https://b.example") == nil)

        let generation = holder.replace(with: try Self.policy(["https://a.example", "https://b.example"]))

        #expect(generation == 1)
        #expect(holder.generation == 1)
        #expect(Self.allowOrigin(holder.current, for: "https://b.example") == "https://b.example")
        // A policy read before the replacement (a request in flight) keeps deciding as it did.
        #expect(Self.allowOrigin(before, for: "https://b.example") == nil)
    }

    @Test func reconfigureWithAValidConfigurationPutsItInForce() throws {
        let holder = try CORSPolicyHolder(CORSConfiguration(origins: ["https://a.example"]))
        let policy = try holder.reconfigure(CORSConfiguration(origins: ["*"], credentials: false))
        #expect(holder.generation == 1)
        #expect(policy.configuration.origins == ["*"])
        #expect(Self.allowOrigin(holder.current, for: "https://z.example") == "*")
    }

    @Test func anInvalidConfigurationThrowsAndKeepsThePolicyInForce() throws {
        let holder = try CORSPolicyHolder(CORSConfiguration(origins: ["https://a.example"]))
        #expect(throws: CORSConfigurationError.self) {
            // `*` with credentials: the engine's validation refuses it.
            try holder.reconfigure(CORSConfiguration(origins: ["*"], credentials: true))
        }
        #expect(holder.generation == 0)
        #expect(Self.allowOrigin(holder.current, for: "https://a.example") == "https://a.example")
        #expect(Self.allowOrigin(holder.current, for: "https://z.example") == nil)
    }

    @Test func theInvalidConfigurationErrorNamesTheProblem() throws {
        let holder = try CORSPolicyHolder(CORSConfiguration(origins: ["https://a.example"]))
        do {
            try holder.reconfigure(CORSConfiguration(origins: ["https://a.example/path"]))
            Issue.record("an origin with a path was accepted")
        } catch {
            #expect("\(error)".contains("https://a.example/path"))
        }
    }

    /// Readers on other threads see one whole policy or the other, never a mix, and every
    /// replacement is counted once.
    @Test func concurrentReadersSeeWholePolicies() async throws {
        let first = try Self.policy(["https://a.example"])
        let second = try Self.policy(["https://b.example"])
        let holder = CORSPolicyHolder(first)
        let replacements = 200
        let seen = await withTaskGroup(of: Set<String>.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var seen = Set<String>()
                    for _ in 0..<2_000 {
                        let policy = holder.current
                        let a = Self.allowOrigin(policy, for: "https://a.example")
                        let b = Self.allowOrigin(policy, for: "https://b.example")
                        seen.insert("\(a ?? "-") \(b ?? "-")")
                    }
                    return seen
                }
            }
            group.addTask {
                for index in 0..<replacements { holder.replace(with: index.isMultiple(of: 2) ? second : first) }
                return []
            }
            return await group.reduce(into: Set<String>()) { $0.formUnion($1) }
        }
        #expect(seen.isSubset(of: ["https://a.example -", "- https://b.example"]))
        #expect(holder.generation == replacements)
    }
}
