import CORS
public import CORSPolicyFile
import HTTPTypes

/// A policy file never crashes the reader; a file that validates without problems compiles, and
/// its policy decides a cross-origin request and a preflight within the decision properties;
/// a valid policy rendered back to JSON reads as a policy with the same problems (none).
public func checkPolicyFile(_ text: String, format: PolicyFile.Format) {
    guard let configuration = try? PolicyFile.parse(text, format: format) else { return }
    let (problems, _) = CORSPolicy.validate(configuration)
    let policy = try? CORSPolicy(configuration)
    require((policy != nil) == problems.isEmpty, "validate and init disagree: \(problems)")
    guard let policy else { return }
    let origin = configuration.origins.first ?? "https://app.example.com"
    var actual = HTTPFields()
    if let name = HTTPField.Name("Origin") { actual.append(HTTPField(name: name, value: origin)) }
    checkDecision(decideNow(policy, method: .get, path: "/a/b", fields: actual), request: actual)
    var preflight = actual
    preflight[.accessControlRequestMethod] = "PUT"
    preflight[.accessControlRequestHeaders] = "content-type, x-a"
    checkDecision(decideNow(policy, method: .options, path: "/", fields: preflight), request: preflight)
    let rendered = PolicyFile.render(configuration)
    do {
        let reread = try PolicyFile.parse(rendered, format: .json)
        require(CORSPolicy.validate(reread).problems.isEmpty, "rendered policy no longer valid:\n\(rendered)")
    } catch {
        require(false, "rendered policy does not read back (\(error)):\n\(rendered)")
    }
}
