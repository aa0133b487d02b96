import CORS
import CORSPolicyFile
import Foundation
import Testing

/// The comparable part of a ``CORSConfiguration`` (everything but the origin predicate).
struct ConfigurationSnapshot: Equatable, CustomStringConvertible {
    var origins: [String]
    var allowNullOrigin: Bool
    var methods: [String]
    var allowedHeaders: [String]
    var exposedHeaders: [String]
    var credentials: Bool
    var maxAge: Int?
    var privateNetwork: Bool
    var preflightContinue: Bool
    var optionsSuccessStatus: Int
    var debug: Bool
    var caseInsensitivePaths: Bool
    var routes: [RouteSnapshot]

    init(_ c: CORSConfiguration) {
        origins = c.origins
        allowNullOrigin = c.allowNullOrigin
        methods = c.methods
        allowedHeaders = c.allowedHeaders
        exposedHeaders = c.exposedHeaders
        credentials = c.credentials
        maxAge = c.maxAge
        privateNetwork = c.privateNetwork
        preflightContinue = c.preflightContinue
        optionsSuccessStatus = c.optionsSuccessStatus
        debug = c.debug
        caseInsensitivePaths = c.caseInsensitivePaths
        routes = c.routes.map(RouteSnapshot.init)
    }

    var description: String { "\(origins) \(methods) routes: \(routes)" }
}

struct RouteSnapshot: Equatable {
    var path: String
    var origins: [String]?
    var allowNullOrigin: Bool?
    var methods: [String]?
    var allowedHeaders: [String]?
    var exposedHeaders: [String]?
    var credentials: Bool?
    var maxAge: Int?
    var privateNetwork: Bool?
    var preflightContinue: Bool?
    var optionsSuccessStatus: Int?
    var debug: Bool?

    init(_ r: CORSRouteConfiguration) {
        path = r.path
        origins = r.origins
        allowNullOrigin = r.allowNullOrigin
        methods = r.methods
        allowedHeaders = r.allowedHeaders
        exposedHeaders = r.exposedHeaders
        credentials = r.credentials
        maxAge = r.maxAge
        privateNetwork = r.privateNetwork
        preflightContinue = r.preflightContinue
        optionsSuccessStatus = r.optionsSuccessStatus
        debug = r.debug
    }
}

/// The problems `parse` throws, or an issue when it does not throw.
func problems(
    _ text: String,
    _ format: PolicyFile.Format,
    sourceLocation: SourceLocation = #_sourceLocation
) -> [CORSConfigurationProblem] {
    do {
        let configuration = try PolicyFile.parse(text, format: format)
        Issue.record("expected an error, got \(ConfigurationSnapshot(configuration))", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.problems
    }
}

/// A fresh directory for files a test writes; removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("policyfile-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// DESIGN.md's example policy.
enum Example {
    static let json = #"""
        { "origins": ["https://app.example.com", "https://*.example.com",
                      "http://localhost:*", "regex:^https://pr-[0-9]+\\.example\\.com$"],
          "allowNullOrigin": false,
          "methods": ["GET", "POST", "PUT", "DELETE"],
          "allowedHeaders": ["Content-Type", "Authorization"],
          "exposedHeaders": ["X-Total-Count"],
          "credentials": true, "maxAge": 600, "privateNetwork": false,
          "preflightContinue": false, "optionsSuccessStatus": 204, "debug": false,
          "routes": [ { "path": "/public/**", "origins": ["*"], "credentials": false } ] }
        """#

    static let yaml = #"""
        # DESIGN.md's example policy
        origins:
          - https://app.example.com
          - "https://*.example.com"
          - http://localhost:*
          - 'regex:^https://pr-[0-9]+\.example\.com$'
        allowNullOrigin: false
        methods: [GET, POST, PUT, DELETE]
        allowedHeaders: [Content-Type, Authorization]
        exposedHeaders: [X-Total-Count]
        credentials: true
        maxAge: 600
        privateNetwork: false
        preflightContinue: false
        optionsSuccessStatus: 204
        debug: false
        routes:
          - path: /public/**
            origins: ["*"]
            credentials: false
        """#

    static let configuration = CORSConfiguration(
        origins: [
            "https://app.example.com", "https://*.example.com", "http://localhost:*",
            #"regex:^https://pr-[0-9]+\.example\.com$"#,
        ],
        allowNullOrigin: false,
        methods: ["GET", "POST", "PUT", "DELETE"],
        allowedHeaders: ["Content-Type", "Authorization"],
        exposedHeaders: ["X-Total-Count"],
        credentials: true,
        maxAge: 600,
        privateNetwork: false,
        preflightContinue: false,
        optionsSuccessStatus: 204,
        debug: false,
        routes: [CORSRouteConfiguration(path: "/public/**", origins: ["*"], credentials: false)]
    )
}
