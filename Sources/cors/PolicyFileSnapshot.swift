import CORS
import CORSPolicyFile
import Configuration

/// One read of a policy file: the policy built from it, or every problem that kept it from being
/// one. Never throws, so a bad edit reaches the reloader as data it can log, problem by problem
/// (a snapshot that throws is only logged at debug level by swift-configuration).
@available(macOS 15, *)
struct PolicyFileSnapshot: FileConfigSnapshot {
    struct ParsingOptions: FileParsingOptions {
        /// The file's path: it chooses the syntax by extension and names the file in problems.
        var path: String

        static var `default`: Self { .init(path: "policy") }
    }

    let providerName: String
    let path: String
    let digest: PolicyDigest
    /// The policy, or the problems of the file and of the policy it describes.
    let outcome: Result<CORSPolicy, PolicyProblems>

    init(data: RawSpan, providerName: String, parsingOptions: ParsingOptions) {
        let bytes = data.withUnsafeBytes { Array($0) }
        self.init(bytes: bytes, path: parsingOptions.path, providerName: providerName)
    }

    init(bytes: [UInt8], path: String, providerName: String = "cors serve") {
        self.providerName = providerName
        self.path = path
        self.digest = PolicyDigest(of: bytes)
        do {
            let configuration = try PolicyFile.parse(fileContents: bytes, path: path)
            do {
                outcome = .success(try CORSPolicy(configuration))
            } catch {
                outcome = .failure(PolicyProblems(problems: error.problems))
            }
        } catch {
            outcome = .failure(PolicyProblems(problems: error.problems))
        }
    }

    /// The policy file is read whole, not as configuration keys: no key has a value.
    func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        LookupResult(encodedKey: key.description, value: nil)
    }

    var description: String { "policy file \(path) (\(digest))" }
    var debugDescription: String { description }
}

/// Why a policy file could not be put in force.
struct PolicyProblems: Error {
    var problems: [CORSConfigurationProblem]
}

/// A short fingerprint of a policy file's bytes (64-bit FNV-1a, in hex), so that a log line says
/// which version of the file is in force; not a security measure.
struct PolicyDigest: Hashable, Sendable, CustomStringConvertible {
    let value: UInt64

    init(of bytes: some Sequence<UInt8>) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        value = hash
    }

    var description: String {
        let hex = String(value, radix: 16)
        return "fnv1a64 " + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
