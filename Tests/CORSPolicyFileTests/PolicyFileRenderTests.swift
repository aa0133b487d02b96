import CORS
import CORSPolicyFile
import Foundation
import Testing

@Suite struct PolicyFileRenderTests {
    @Test func rendersTheDevelopmentDefault() {
        #expect(
            PolicyFile.render(.development) == """
                {
                  "origins": ["http://localhost:*", "http://127.0.0.1:*"],
                  "allowNullOrigin": false,
                  "methods": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                  "allowedHeaders": ["*", "Authorization"],
                  "exposedHeaders": ["*"],
                  "credentials": false,
                  "privateNetwork": false,
                  "preflightContinue": false,
                  "optionsSuccessStatus": 204,
                  "debug": false,
                  "routes": []
                }

                """
        )
    }

    @Test func rendersRoutesWithTheirOwnKeysOnly() {
        let text = PolicyFile.render(Example.configuration)
        #expect(
            text.hasSuffix(
                """
                  "routes": [
                    {
                      "path": "/public/**",
                      "origins": ["*"],
                      "credentials": false
                    }
                  ]
                }

                """
            )
        )
        #expect(text.contains(#""regex:^https://pr-[0-9]+\\.example\\.com$""#))
    }

    static let configurations: [CORSConfiguration] = [
        .development,
        Example.configuration,
        CORSConfiguration(),
        CORSConfiguration(
            origins: (1...20).map { "https://tenant-\($0).example.com" },
            allowNullOrigin: true,
            methods: ["*"],
            allowedHeaders: [],
            exposedHeaders: ["X-\"Quoted\"", "X-Back\\slash", "X-Tab\t", "X-\u{1}", "X-é😀"],
            credentials: true,
            maxAge: -1,
            privateNetwork: true,
            preflightContinue: true,
            optionsSuccessStatus: 200,
            debug: true,
            caseInsensitivePaths: true,
            routes: [
                CORSRouteConfiguration(
                    path: "/api/*/items", origins: ["https://a.example"], allowNullOrigin: false, methods: ["PATCH"],
                    allowedHeaders: ["X-Token"], exposedHeaders: [], credentials: true, maxAge: 0,
                    privateNetwork: false, preflightContinue: false, optionsSuccessStatus: 204, debug: false
                ),
                CORSRouteConfiguration(path: "/health"),
                CORSRouteConfiguration(path: "/**", maxAge: 7200),
            ]
        ),
    ]

    /// What `render` writes, `parse` reads back as the same configuration, as JSON and (JSON being YAML) as YAML.
    @Test(arguments: configurations, PolicyFile.Format.allCases)
    func roundTrips(configuration: CORSConfiguration, format: PolicyFile.Format) throws {
        let text = PolicyFile.render(configuration)
        let parsed = try PolicyFile.parse(text, format: format)
        #expect(ConfigurationSnapshot(parsed) == ConfigurationSnapshot(configuration))
        #expect(PolicyFile.render(parsed) == text)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }
}
