import CORS
import CORSPolicyFile
import Foundation
import Testing

@Suite struct PolicyFileLoadTests {
    @Test(arguments: [(Example.json, PolicyFile.Format.json), (Example.yaml, .yaml)])
    func designExample(text: String, format: PolicyFile.Format) throws {
        let configuration = try PolicyFile.parse(text, format: format)
        #expect(ConfigurationSnapshot(configuration) == ConfigurationSnapshot(Example.configuration))
        #expect(CORSPolicy.validate(configuration).problems.isEmpty)
    }

    struct FileCase: Sendable, CustomTestStringConvertible {
        var name: String
        var contents: String
        var testDescription: String { name }
    }

    static let files = [
        FileCase(name: "policy.json", contents: Example.json),
        FileCase(name: "policy.yaml", contents: Example.yaml),
        FileCase(name: "policy.yml", contents: Example.yaml),
        FileCase(name: "policy.JSON", contents: Example.json),
        FileCase(name: "cors-policy", contents: Example.json),
        FileCase(name: "cors-policy.conf", contents: Example.yaml),
        FileCase(name: "with-bom.json", contents: "\u{FEFF}" + Example.json),
    ]

    @Test(arguments: files)
    func loadsFiles(file: FileCase) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(file.name)
        try Data(file.contents.utf8).write(to: url)
        let configuration = try PolicyFile.load(path: url.path)
        #expect(ConfigurationSnapshot(configuration) == ConfigurationSnapshot(Example.configuration))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var format: PolicyFile.Format
        var expected: ConfigurationSnapshot
        var testDescription: String { "\(format): \(text)" }
    }

    static let defaults = CORSConfiguration()

    static let cases: [Case] = [
        // Absent keys keep the engine's defaults.
        Case(text: "{}", format: .json, expected: ConfigurationSnapshot(defaults)),
        Case(text: "{}", format: .yaml, expected: ConfigurationSnapshot(defaults)),
        Case(text: "origins: []\n", format: .yaml, expected: ConfigurationSnapshot(defaults)),
        Case(
            text: #"{"origins": ["*"], "maxAge": -1}"#, format: .json,
            expected: ConfigurationSnapshot(CORSConfiguration(origins: ["*"], maxAge: -1))
        ),
        Case(
            text: "caseInsensitivePaths: true\n", format: .yaml,
            expected: ConfigurationSnapshot(CORSConfiguration(caseInsensitivePaths: true))
        ),
        // A route with every key, the ones it leaves out are nil.
        Case(
            text: """
                routes:
                  - path: /api/*/items
                    origins: [https://a.example]
                    allowNullOrigin: true
                    methods: [PATCH]
                    allowedHeaders: [X-Token]
                    exposedHeaders: [ETag]
                    credentials: true
                    maxAge: 0x10
                    privateNetwork: true
                    preflightContinue: true
                    optionsSuccessStatus: 200
                    debug: true
                  - path: "/health"
                """,
            format: .yaml,
            expected: ConfigurationSnapshot(
                CORSConfiguration(routes: [
                    CORSRouteConfiguration(
                        path: "/api/*/items", origins: ["https://a.example"], allowNullOrigin: true,
                        methods: ["PATCH"], allowedHeaders: ["X-Token"], exposedHeaders: ["ETag"], credentials: true,
                        maxAge: 16, privateNetwork: true, preflightContinue: true, optionsSuccessStatus: 200,
                        debug: true
                    ),
                    CORSRouteConfiguration(path: "/health"),
                ])
            )
        ),
        // YAML anchors and aliases; quoted scalars stay strings.
        Case(
            text: """
                origins: &trusted ["https://a.example", "null"]
                routes:
                  - path: /x
                    origins: *trusted
                """,
            format: .yaml,
            expected: ConfigurationSnapshot(
                CORSConfiguration(
                    origins: ["https://a.example", "null"],
                    routes: [CORSRouteConfiguration(path: "/x", origins: ["https://a.example", "null"])]
                )
            )
        ),
        // JSON escapes, including a surrogate pair.
        Case(
            text: #"{"allowedHeaders": ["X-\u0041\/b", "\ud83d\ude00\t"]}"#, format: .json,
            expected: ConfigurationSnapshot(CORSConfiguration(allowedHeaders: ["X-A/b", "😀\t"]))
        ),
    ]

    @Test(arguments: cases)
    func maps(test: Case) throws {
        #expect(ConfigurationSnapshot(try PolicyFile.parse(test.text, format: test.format)) == test.expected)
    }

    struct FormatCase: Sendable, CustomTestStringConvertible {
        var path: String
        var contents: String
        var expected: PolicyFile.Format
        var testDescription: String { "\(path) \(contents)" }
    }

    static let formats = [
        FormatCase(path: "cors.json", contents: "origins: []", expected: .json),
        FormatCase(path: "cors.yaml", contents: "{}", expected: .yaml),
        FormatCase(path: "dir.d/cors.YML", contents: "{}", expected: .yaml),
        FormatCase(path: "cors", contents: "  \n {\"origins\": []}", expected: .json),
        FormatCase(path: "cors.txt", contents: "origins: []", expected: .yaml),
        FormatCase(path: "config.json.d/cors", contents: "- a", expected: .yaml),
        FormatCase(path: "cors", contents: "", expected: .yaml),
    ]

    @Test(arguments: formats)
    func detectsFormat(test: FormatCase) {
        #expect(PolicyFile.Format(path: test.path, contents: test.contents) == test.expected)
    }
}
