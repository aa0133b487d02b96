import CORS
import CORSPolicyFile
import Foundation

/// Loads the policy named on the command line, or the development default, reporting problems
/// the way `cors lint` does.
enum PolicySource {
    enum Failure: Error {
        case unreadable(String)
        case invalid([CORSConfigurationProblem])
    }

    static func configuration(from path: String?) throws(Failure) -> CORSConfiguration {
        guard let path else { return .development }
        do {
            return try PolicyFile.load(path: path)
        } catch {
            if error.kind == .unreadable { throw .unreadable(error.description) }
            throw .invalid(error.problems)
        }
    }

    static func printToStandardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
