import CORS
import CORSPolicyFile
import Foundation
import Testing

/// One problem a text must produce: its field, and fragments its problem and fix contain.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    var text: String
    var format: PolicyFile.Format
    var field: String
    var problem: String
    var fix: String = ""
    var testDescription: String { "\(format) \(field): \(problem)" }

    static func json(_ text: String, _ field: String, _ problem: String, fix: String = "") -> ErrorCase {
        ErrorCase(text: text, format: .json, field: field, problem: problem, fix: fix)
    }

    static func yaml(_ text: String, _ field: String, _ problem: String, fix: String = "") -> ErrorCase {
        ErrorCase(text: text, format: .yaml, field: field, problem: problem, fix: fix)
    }

    func check(sourceLocation: SourceLocation = #_sourceLocation) {
        let found = problems(text, format, sourceLocation: sourceLocation)
        let matching = found.first {
            $0.field == field && $0.problem.contains(problem) && (fix.isEmpty || $0.fix.contains(fix))
        }
        #expect(matching != nil, "got \(found.map(\.description))", sourceLocation: sourceLocation)
    }
}

@Suite struct PolicyFileErrorTests {
    static let syntax: [ErrorCase] = [
        .json(
            "{\n  \"origins\": [\"https://a.example\"],\n  \"credentials\": true,,\n}", "policy",
            "JSON syntax error at line 3, column 23: expected a key in double quotes, found ','",
            fix: "correct the JSON at line 3, column 23"
        ),
        .json(
            "{\n  \"credentials\": true\n  \"maxAge\": 600\n}", "policy",
            #"line 3, column 3: expected ',' or '}' after the value of "credentials", found '"'"#
        ),
        .json(#"{"origins": ["é", ]}"#, "policy", "line 1, column 19: expected a value after ',', found ']'"),
        .json(#"{"maxAge": 600,}"#, "policy", "line 1, column 16: expected a key after ',', found '}'"),
        .json(
            #"{"credentials": tru}"#, "policy", #"line 1, column 17: expected a value, found "tru": did you mean true?"#
        ),
        .json(
            #"{"credentials": True}"#, "policy",
            "line 1, column 17: expected a value, found \"True\": JSON writes it in lowercase"),
        .json("{'origins': []}", "policy", "line 1, column 2: expected a key in double quotes, found \"'\""),
        .json(
            "{\"origins\": [\n  // staging\n]}", "policy",
            "line 2, column 3: expected a value, found '/': JSON has no comments"),
        .json(
            "{\"origins\": [\"https://a.example]}", "policy",
            "line 1, column 14: the string that starts here is never closed"),
        .json("{\"origins\": [\"https://a\n\"]}", "policy", "line 1, column 24: a line break inside a string"),
        .json(#"{"a": "\x"}"#, "policy", #"line 1, column 8: invalid escape sequence '\x'"#),
        .json(#"{"a": "\ud800"}"#, "policy", "line 1, column 8: a high surrogate escape must be followed by a low one"),
        .json(#"{"maxAge": 0600}"#, "policy", "line 1, column 12: a number must not start with 0"),
        .json(#"{"maxAge": 1.}"#, "policy", "line 1, column 14: expected a digit after '.', found '}'"),
        .json(#"{"maxAge" 600}"#, "policy", #"line 1, column 11: expected ':' after the key "maxAge", found '6'"#),
        .json(
            #"{"debug": false} {"#, "policy", "line 1, column 18: unexpected '{' after the end of the top-level value"),
        .json(#"{"origins": ["#, "policy", "line 1, column 14: expected a value, found the end of the file"),
        .json(String(repeating: "[", count: 100), "policy", "more than 64 levels deep"),
        .yaml(
            "origins: [a, b\nmethods: [GET]\n", "policy",
            "YAML syntax error at line 2, column 8: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 10)",
            fix: "correct the YAML at line 2, column 8"
        ),
        .yaml("origins:\n  - a\n - b\n", "policy", "YAML syntax error at line 3, column 2: did not find expected key"),
        .yaml("origins:\n\t- a\n", "policy", "line 2, column 1: found character that cannot start any token"),
        .yaml("credentials: \"true\nmaxAge: 5\n", "policy", "line 3, column 1: found unexpected end of stream"),
        .yaml("origins: [a]\n---\norigins: [b]\n", "policy", "line 2, column 1: but found another document"),
        .yaml(
            "origins: [a]\ncredentials: true\norigins: [b]\n", "policy",
            "the key \"origins\" appears more than once in the same mapping (first at line 1, column 1)",
            fix: "keep one of them"
        ),
        .yaml("origins: [*trusted]\n", "policy", "line 1, column 11: found undefined alias"),
        .yaml("maxAge: !!binary aGVsbG8=\n", "policy", "line 1, column 9: unsupported tag !!binary"),
        .yaml("? [a]\n: b\n", "policy", "line 1, column 3: a key must be a plain string"),
        .yaml(
            (0..<6).map { level in
                let item = level == 0 ? "x" : "*l\(level - 1)"
                return "l\(level): &l\(level) [" + Array(repeating: item, count: 10).joined(separator: ", ") + "]"
            }.joined(separator: "\n"),
            "policy", "the document expands to more than 100000 values (aliases repeat too much)"
        ),
    ]

    @Test(arguments: syntax)
    func syntaxErrors(test: ErrorCase) {
        test.check()
    }

    static let types: [ErrorCase] = [
        .json(
            #"{"credentials": "yes"}"#, "credentials",
            #"expected a boolean, found the string "yes" (line 1, column 17)"#),
        .yaml(
            "credentials: yes\n", "credentials", #"expected a boolean, found the string "yes" (line 1, column 14)"#,
            fix: "write true or false"),
        .yaml("debug: on\n", "debug", #"expected a boolean, found the string "on""#),
        .yaml("credentials: \"true\"\n", "credentials", #"found the string "true""#, fix: "remove the quotes: true"),
        .json(
            #"{"privateNetwork": 1}"#, "privateNetwork", "expected a boolean, found the number 1",
            fix: "numbers are not read as booleans"),
        .json(#"{"debug": null}"#, "debug", "expected a boolean, found null", fix: "remove the key to use the default"),
        .yaml(
            "caseInsensitivePaths: \"true\"\n", "caseInsensitivePaths", #"found the string "true""#,
            fix: "remove the quotes: true"),
        .yaml("allowNullOrigin:\n", "allowNullOrigin", "expected a boolean, found null"),
        .json(
            #"{"maxAge": 1.5}"#, "maxAge", "expected an integer, found the number 1.5", fix: "a whole number of seconds"
        ),
        .json(#"{"maxAge": 600.0}"#, "maxAge", "expected an integer, found the number 600.0"),
        .json(#"{"maxAge": 6e2}"#, "maxAge", "expected an integer, found the number 6e2"),
        .json(
            #"{"maxAge": "600"}"#, "maxAge", #"expected an integer, found the string "600""#,
            fix: "remove the quotes: 600"),
        .json(
            #"{"maxAge": 99999999999999999999}"#, "maxAge", "found the number 99999999999999999999", fix: "too large"),
        .yaml("maxAge: 1.5\n", "maxAge", "expected an integer, found the number 1.5 (line 1, column 9)"),
        .yaml("maxAge: 10m\n", "maxAge", #"expected an integer, found the string "10m""#),
        .json(
            #"{"optionsSuccessStatus": true}"#, "optionsSuccessStatus", "expected an integer, found the boolean true",
            fix: "204 or 200"),
        .json(
            #"{"origins": "https://a.example"}"#, "origins",
            #"expected an array of strings, found the string "https://a.example""#, fix: #"["https://a.example"]"#),
        .yaml(
            "origins: https://a.example\n", "origins", "expected an array of strings, found the string",
            fix: #"["https://a.example"]"#),
        .json(
            #"{"origins": ["https://a.example", "https://b.example", 5]}"#, "origins[2]",
            "expected a string, found the number 5 (line 1, column 56)"),
        .yaml(
            "origins:\n  - https://a.example\n  - null\n", "origins[1]",
            "expected a string, found null (line 3, column 5)"),
        .json(#"{"methods": {"GET": true}}"#, "methods", "expected an array of strings, found an object"),
        .json(#"{"allowedHeaders": [["X-A"]]}"#, "allowedHeaders[0]", "expected a string, found an array"),
        .json(#"{"exposedHeaders": [false]}"#, "exposedHeaders[0]", "expected a string, found the boolean false"),
        .json(#"{"routes": {"path": "/a"}}"#, "routes", "expected an array of route objects, found an object"),
        .json(#"{"routes": [{"path": "/a"}, "/b"]}"#, "routes[1]", #"expected a route object, found the string "/b""#),
        .json(#"{"routes": [{"path": 5}]}"#, "routes[0].path", "expected a string, found the number 5"),
        .json(
            #"{"routes": [{"path": "/a", "credentials": "yes"}]}"#, "routes[0].credentials",
            #"expected a boolean, found the string "yes""#),
        .yaml(
            "routes:\n  - path: /a\n  - path: /b\n    maxAge: 1.5\n", "routes[1].maxAge",
            "expected an integer, found the number 1.5 (line 4, column 13)"),
        .yaml(
            "routes:\n  - path: /a\n    origins: [1]\n", "routes[0].origins[0]", "expected a string, found the number 1"
        ),
    ]

    @Test(arguments: types)
    func wrongTypes(test: ErrorCase) {
        test.check()
    }

    /// An unknown key names the key that was probably meant, at the top level and in routes.
    static let suggestions: [(key: String, suggestion: String)] = [
        ("allowedHeader", "allowedHeaders"), ("origin", "origins"), ("Credentials", "credentials"),
        ("max_age", "maxAge"), ("Max-Age", "maxAge"), ("allowCredentials", "credentials"),
        ("allowedOrigins", "origins"), ("allowedMethods", "methods"), ("exposeHeaders", "exposedHeaders"),
        ("supports_credentials", "credentials"), ("allow_headers", "allowedHeaders"),
        ("cacheExpiration", "maxAge"), ("optionsPassthrough", "preflightContinue"),
        ("allowPrivateNetwork", "privateNetwork"), ("Access-Control-Allow-Origin", "origins"),
        ("methds", "methods"), ("crendentials", "credentials"), ("debgu", "debug"),
        ("optionSuccessStatus", "optionsSuccessStatus"), ("allowNull", "allowNullOrigin"),
    ]

    static let unknownKeys: [ErrorCase] =
        suggestions.flatMap { key, suggestion in
            [
                ErrorCase.json(
                    "{\"\(key)\": true}", key, "unknown key \"\(key)\" (line 1, column 2)",
                    fix: "did you mean \"\(suggestion)\"?"
                ),
                ErrorCase.yaml(
                    "routes:\n  - path: /a\n    \(key): true\n", "routes[0].\(key)",
                    "unknown key \"\(key)\" (line 3, column 5)", fix: "did you mean \"\(suggestion)\"?"
                ),
            ]
        } + [
            .yaml("routs: []\n", "routs", #"unknown key "routs""#, fix: #"did you mean "routes"?"#),
            .yaml("route: []\n", "route", #"unknown key "route""#, fix: #"did you mean "routes"?"#),
            .json(
                #"{"routes": [{"pattern": "/a"}]}"#, "routes[0].pattern", #"unknown key "pattern""#,
                fix: #"did you mean "path"?"#),
            .json(
                #"{"routes": [{"Path": "/a"}]}"#, "routes[0].Path", #"unknown key "Path""#,
                fix: #"did you mean "path"?"#),
            .json(#"{"path": "/a"}"#, "path", #"unknown key "path""#, fix: #"a path belongs in an entry of "routes""#),
            .json(
                #"{"routes": [{"path": "/a", "routes": []}]}"#, "routes[0].routes", #"unknown key "routes""#,
                fix: "routes cannot be nested"),
            .json(
                #"{"routes": [{"path": "/a", "caseInsensitivePaths": true}]}"#, "routes[0].caseInsensitivePaths",
                #"unknown key "caseInsensitivePaths""#, fix: "set it at the top level"),
            .json(
                #"{"ignoreCase": true}"#, "ignoreCase", #"unknown key"#, fix: #"did you mean "caseInsensitivePaths"?"#),
            .json(
                #"{"originPredicate": "x"}"#, "originPredicate", #"unknown key "originPredicate""#,
                fix: "an origin predicate is code"),
            .json(
                #"{"hello": 1}"#, "hello", #"unknown key "hello""#,
                fix: "remove it, or use one of: origins, allowNullOrigin"),
            .yaml("<<: {credentials: true}\n", "<<", #"unknown key "<<""#),
            .json(
                #"{"credentials": false, "credentials": true}"#, "credentials",
                #"the key "credentials" appears more than once (line 1, column 24; first at line 1, column 2)"#,
                fix: "keep one of them"),
            .json(
                #"{"routes": [{"path": "/a", "path": "/b"}]}"#, "routes[0].path",
                #"the key "path" appears more than once"#),
        ]

    @Test(arguments: unknownKeys)
    func unknownAndRepeatedKeys(test: ErrorCase) {
        test.check()
    }

    static let documents: [ErrorCase] = [
        .json(
            #"{"routes": [{"origins": ["*"]}]}"#, "routes[0].path", #"the route has no "path" (line 1, column 13)"#,
            fix: #"add "path": "/api/**""#),
        .yaml("routes:\n  - credentials: false\n", "routes[0].path", #"the route has no "path" (line 2, column 5)"#),
        .json("", "policy", "the file is empty"),
        .json(" \n\t\n", "policy", "the file is empty"),
        .yaml("", "policy", "the file is empty"),
        .yaml("# nothing yet\n\n", "policy", "the file is empty (or holds only comments)"),
        .yaml("---\n", "policy", "the file is empty"),
        .json("[]", "policy", "the top level must be an object of settings, found an array (line 1, column 1)"),
        .json(#""origins""#, "policy", #"the top level must be an object of settings, found the string "origins""#),
        .json("42", "policy", "found the number 42"),
        .json("null", "policy", "found null"),
        .yaml("- https://a.example\n", "policy", "the top level must be an object of settings, found an array"),
        .yaml("origins\n", "policy", #"found the string "origins""#),
    ]

    @Test(arguments: documents)
    func documentErrors(test: ErrorCase) {
        test.check()
    }

    @Test func kinds() {
        func kind(_ text: String, _ format: PolicyFile.Format) -> PolicyFileError.Kind? {
            do {
                _ = try PolicyFile.parse(text, format: format)
                return nil
            } catch {
                return error.kind
            }
        }
        #expect(kind("{", .json) == .syntax)
        #expect(kind("", .yaml) == .syntax)
        #expect(kind("[]", .json) == .schema)
        #expect(kind("credentials: yes", .yaml) == .schema)
    }

    @Test func collectsEveryProblemInOrder() {
        let text = """
            {
              "origin": ["https://a.example"],
              "credentials": "true",
              "maxAge": 1.5,
              "methods": ["GET", 7],
              "routes": [
                {"path": "/a", "debug": "on", "Origins": []},
                {"credentials": true}
              ]
            }
            """
        let found = problems(text, .json)
        #expect(
            found.map(\.field) == [
                "origin", "credentials", "maxAge", "methods[1]", "routes[0].debug", "routes[0].Origins",
                "routes[1].path",
            ]
        )
        #expect(found.allSatisfy { !$0.why.isEmpty && !$0.fix.isEmpty })
        #expect(found[0].description.hasPrefix(#"origin: unknown key "origin" (line 2, column 3) — "#))
        #expect(found[0].description.hasSuffix(#" — did you mean "origins"?"#))
    }

    @Test func fileErrorsNameThePath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let missing = directory.appendingPathComponent("missing.json").path
        #expect {
            try PolicyFile.load(path: missing)
        } throws: { error in
            guard let error = error as? PolicyFileError, error.kind == .unreadable else { return false }
            return error.problems.map(\.field) == [missing]
                && error.problems[0].problem == "cannot read the policy file: no such file"
        }

        #expect {
            try PolicyFile.load(path: directory.path)
        } throws: { error in
            (error as? PolicyFileError)?.problems.first?.problem == "cannot read the policy file: it is a directory"
        }

        let binary = directory.appendingPathComponent("binary.json")
        try Data([0x7B, 0xFF, 0xFE, 0x7D]).write(to: binary)
        #expect {
            try PolicyFile.load(path: binary.path)
        } throws: { error in
            (error as? PolicyFileError)?.problems.first?.problem == "the file is not UTF-8 text"
        }

        let broken = directory.appendingPathComponent("broken.yml")
        try Data("credentials: [true\n".utf8).write(to: broken)
        #expect {
            try PolicyFile.load(path: broken.path)
        } throws: { error in
            guard let problem = (error as? PolicyFileError)?.problems.first else { return false }
            return problem.field == broken.path && problem.problem.hasPrefix("YAML syntax error at line 2, column 1")
        }

        let wrong = directory.appendingPathComponent("wrong.json")
        try Data(#"{"maxAge": "600"}"#.utf8).write(to: wrong)
        #expect {
            try PolicyFile.load(path: wrong.path)
        } throws: { error in
            (error as? PolicyFileError)?.problems.map(\.field) == ["maxAge"]
        }
    }
}
