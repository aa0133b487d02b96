#if PolicyFile
public import CORS
import Foundation

/// Reads a CORS policy from a JSON or YAML file into a `CORSConfiguration`, and writes one back as JSON.
///
/// The keys are `CORSConfiguration`'s (Express `cors`-like names):
///
/// ```json
/// { "origins": ["https://app.example.com", "https://*.example.com"],
///   "allowNullOrigin": false, "methods": ["GET", "POST"],
///   "allowedHeaders": ["Content-Type", "Authorization"], "exposedHeaders": ["X-Total-Count"],
///   "credentials": true, "maxAge": 600, "privateNetwork": false, "preflightContinue": false,
///   "optionsSuccessStatus": 204, "debug": false,
///   "routes": [ { "path": "/public/**", "origins": ["*"], "credentials": false } ] }
/// ```
///
/// Every key is optional (absent keys keep `CORSConfiguration`'s defaults); each entry of `routes` needs a
/// `path` and may override any other key but `routes` (absent keys inherit the top level's).
///
/// Reading is strict, because a policy that silently differs from what was written is a security bug:
/// values are never converted (`"yes"` is not a boolean, `1.5` not an integer, a single string not a list),
/// an unknown key is an error that names the key probably meant (`allowCredentials` → `credentials`), and
/// a key written twice is an error. All problems are collected, not only the first. YAML is read with the
/// YAML 1.2 core schema, so `yes`/`no`/`on`/`off` are strings.
///
/// Loading only reads the file: build a `CORSPolicy` from the result (or call `CORSPolicy/validate(_:)`)
/// to check that the policy is valid and safe.
public enum PolicyFile {
    /// Reads the policy file at `path`, choosing the syntax with ``Format/init(path:contents:)``.
    ///
    /// - Throws: ``PolicyFileError`` when the file cannot be read, is empty, is not valid JSON or YAML,
    ///   or does not describe a policy; problems about the whole file name `path` as their field.
    public static func load(path: String) throws(PolicyFileError) -> CORSConfiguration {
        let text = try read(path: path)
        return try parse(text, format: Format(path: path, contents: text), source: path)
    }

    /// Reads a policy from the bytes of the file at `path` (already read, as a reloader does): UTF-8
    /// text, its syntax chosen with ``Format/init(path:contents:)``, problems naming `path`.
    ///
    /// - Throws: ``PolicyFileError`` as ``load(path:)`` does, for everything but reading the file.
    public static func parse(fileContents bytes: some Collection<UInt8>, path: String) throws(PolicyFileError)
        -> CORSConfiguration
    {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw unreadable(path: path, "the file is not UTF-8 text", "save the policy as UTF-8")
        }
        return try parse(text, format: Format(path: path, contents: text), source: path)
    }

    /// Reads a policy from `text` in the given syntax.
    ///
    /// - Throws: ``PolicyFileError``; problems about the whole text name `policy` as their field.
    public static func parse(_ text: String, format: Format) throws(PolicyFileError) -> CORSConfiguration {
        try parse(text, format: format, source: "policy")
    }

    static func parse(_ text: String, format: Format, source: String) throws(PolicyFileError) -> CORSConfiguration {
        let root: PolicyNode?
        switch format {
        case .json:
            do {
                root = try JSONReader.read(text)
            } catch {
                throw syntaxError(format: format, message: error.message, position: error.position, source: source)
            }
        case .yaml:
            do {
                root = try YAMLReader.read(text)
            } catch {
                throw syntaxError(
                    format: format,
                    message: error.message,
                    position: error.position,
                    fix: error.fix,
                    source: source
                )
            }
        }
        guard let root, !root.isYAMLNull(format) else {
            let example =
                format == .json
                ? #"{"origins": ["https://app.example.com"]}"#
                : "origins: [\"https://app.example.com\"]"
            throw PolicyFileError(
                kind: .syntax,
                problems: [
                    CORSConfigurationProblem(
                        kind: .fileSyntax, field: source,
                        problem: format == .json ? "the file is empty" : "the file is empty (or holds only comments)",
                        why: "an empty file is more likely a mistake (a failed write, the wrong file) than a policy",
                        fix: "write the settings, e.g. \(example)"
                    )
                ]
            )
        }
        var reader = ConfigurationReader(source: source)
        let configuration = reader.configuration(from: root)
        guard reader.problems.isEmpty else {
            throw PolicyFileError(kind: .schema, problems: reader.problems)
        }
        return configuration
    }

    private static func syntaxError(
        format: Format,
        message: String,
        position: SourcePosition?,
        fix: String? = nil,
        source: String
    ) -> PolicyFileError {
        let name = format == .json ? "JSON" : "YAML"
        let place = position.map { " at \($0)" } ?? ""
        return PolicyFileError(
            kind: .syntax,
            problems: [
                CORSConfigurationProblem(
                    kind: .fileSyntax, field: source,
                    problem: "\(name) syntax error\(place): \(message)",
                    why: "the file is not valid \(name), so no policy can be read from it",
                    fix: fix ?? "correct the \(name)\(place)"
                )
            ]
        )
    }

    private static func unreadable(path: String, _ problem: String, _ fix: String) -> PolicyFileError {
        PolicyFileError(
            kind: .unreadable,
            problems: [
                CORSConfigurationProblem(
                    kind: .unreadableFile, field: path,
                    problem: problem,
                    why: "no policy can be loaded without reading the file",
                    fix: fix
                )
            ]
        )
    }

    private static func read(path: String) throws(PolicyFileError) -> String {
        func unreadable(_ problem: String, _ fix: String) -> PolicyFileError {
            Self.unreadable(path: path, problem, fix)
        }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let relative = path.hasPrefix("/") ? "" : " (relative to \(manager.currentDirectoryPath))"
            throw unreadable("cannot read the policy file: no such file", "check the path\(relative)")
        }
        guard !isDirectory.boolValue else {
            throw unreadable("cannot read the policy file: it is a directory", "give the path of a .json or .yaml file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason =
                (error as? CocoaError)?.code == .fileReadNoPermission
                ? "permission denied" : error.localizedDescription
            throw unreadable("cannot read the policy file: \(reason)", "check the file's permissions")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw unreadable("the file is not UTF-8 text", "save the policy as UTF-8")
        }
        return text
    }
}

extension PolicyNode {
    /// A YAML document with nothing in it (`---` alone) reads as null.
    fileprivate func isYAMLNull(_ format: PolicyFile.Format) -> Bool {
        guard format == .yaml, case .null = value else { return false }
        return true
    }
}
#endif
