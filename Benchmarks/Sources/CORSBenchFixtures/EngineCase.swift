public import CORS
public import HTTPTypes

/// One engine operation: a policy and a request, built once, evaluated many times.
public struct EngineCase: Sendable {
    public let name: String
    public let policy: CORSPolicy
    public let method: HTTPRequest.Method
    public let path: String
    public let fields: HTTPFields
    /// What the decision must say, checked once before measuring (a benchmark of the wrong path is worthless).
    public let expectation: Expectation

    public enum Expectation: Sendable, Equatable {
        case notCORS
        case allowed(CORSDecision.Kind)
        case refused(CORSDecision.Kind, CORSRejection.Reason)
    }

    /// The decision, synchronously (none of these policies has an async predicate).
    @inline(__always)
    public func decide() -> CORSDecision {
        switch policy.evaluate(method: method, path: path, headerFields: fields) {
        case .decided(let decision): return decision
        case .needsOriginPredicate: preconditionFailure("no benchmark policy has a predicate")
        }
    }

    /// The decision and the response header fields it produces, as a middleware does: the
    /// preflight answer's fields, or the handler's response fields edited.
    @inline(__always)
    public func decideAndApply(to response: HTTPFields) -> HTTPFields {
        let decision = decide()
        if decision.immediateStatus != nil { return decision.immediateResponseFields }
        var fields = response
        decision.apply(to: &fields)
        return fields
    }

    /// Fails loudly when the decision is not the expected one.
    public func verify() {
        let decision = decide()
        let actual: Expectation
        if decision.kind == .notCORS {
            actual = .notCORS
        } else if let rejection = decision.rejection {
            actual = .refused(decision.kind, rejection.reason)
        } else {
            actual = .allowed(decision.kind)
        }
        precondition(actual == expectation, "\(name): expected \(expectation), got \(actual)")
    }
}

/// The requests and policies every benchmark uses.
public enum Fixtures {
    public static let allowedOrigin = "https://app.example.com"
    public static let refusedOrigin = "https://evil.example.net"
    public static let path = "/api/items/42"

    /// What a handler typically returns, before CORS edits it.
    public static let handlerResponseFields: HTTPFields = [
        .contentType: "application/json", .contentLength: "2",
    ]

    /// A typical policy: one front-end, credentials, a few methods and headers.
    public static func configuration(origins: [String] = [allowedOrigin]) -> CORSConfiguration {
        CORSConfiguration(
            origins: origins, methods: ["GET", "POST", "PUT", "DELETE"],
            allowedHeaders: ["Content-Type", "Authorization", "X-Api-Key"], exposedHeaders: ["X-Total-Count"],
            credentials: true, maxAge: 600)
    }

    public static func policy(origins: [String] = [allowedOrigin]) -> CORSPolicy {
        try! CORSPolicy(configuration(origins: origins))
    }

    /// What Chromium sends with a cross-origin fetch, less cookies.
    public static func browserFields(origin: String?, extra: [HTTPField] = []) -> HTTPFields {
        var fields = HTTPFields([
            HTTPField(name: HTTPField.Name("Host")!, value: "api.example.com"),
            HTTPField(
                name: .userAgent, value: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
            ),
            HTTPField(name: .accept, value: "*/*"),
            HTTPField(name: .acceptLanguage, value: "en-US,en;q=0.9"),
            HTTPField(name: .acceptEncoding, value: "gzip, deflate, br"),
        ])
        if let origin { fields.append(.init(name: .origin, value: origin)) }
        fields.append(contentsOf: extra)
        fields.append(.init(name: HTTPField.Name("Sec-Fetch-Mode")!, value: "cors"))
        fields.append(.init(name: HTTPField.Name("Sec-Fetch-Site")!, value: "cross-site"))
        fields.append(.init(name: .referer, value: "https://app.example.com/"))
        return fields
    }

    static func preflight(origin: String, method: String, headers: String?) -> HTTPFields {
        var extra = [HTTPField(name: .accessControlRequestMethod, value: method)]
        if let headers { extra.append(HTTPField(name: .accessControlRequestHeaders, value: headers)) }
        return browserFields(origin: origin, extra: extra)
    }

    /// `count` exact origins; the request's is the last one listed.
    public static func exactOrigins(_ count: Int) -> [String] {
        (0..<count - 1).map { "https://app\($0).example.com" } + [allowedOrigin]
    }

    /// `count` wildcard patterns under distinct domains; the request matches the last one.
    public static func patterns(_ count: Int) -> [String] {
        (0..<count).map { "https://*.tenant\($0).example.org" }
    }

    public static let patternOrigin = "https://eu.app.tenant\(999).example.org"

    /// 64 KiB of valid, distinct-looking header names.
    public static let longRequestHeaders: String = {
        var value = ""
        var index = 0
        while value.utf8.count < 65_536 {
            if !value.isEmpty { value += "," }
            value += "x-custom-header-\(index)"
            index += 1
        }
        return value
    }()

    public static let engineCases: [EngineCase] = {
        let policy = Self.policy()
        func make(
            _ name: String, _ method: HTTPRequest.Method, _ fields: HTTPFields, _ expectation: EngineCase.Expectation,
            policy: CORSPolicy = policy
        ) -> EngineCase {
            EngineCase(name: name, policy: policy, method: method, path: path, fields: fields, expectation: expectation)
        }
        let patternPolicy1 = Self.policy(origins: ["https://*.tenant999.example.org"])
        let patternPolicy1000 = Self.policy(origins: patterns(1000))
        return [
            make("not CORS", .get, browserFields(origin: nil), .notCORS),
            make("actual allowed", .get, browserFields(origin: allowedOrigin), .allowed(.actual)),
            make("actual refused", .get, browserFields(origin: refusedOrigin), .refused(.actual, .originNotAllowed)),
            make(
                "preflight allowed", .options,
                preflight(origin: allowedOrigin, method: "PUT", headers: "content-type,x-api-key"),
                .allowed(.preflight)),
            make(
                "preflight refused: origin", .options,
                preflight(origin: refusedOrigin, method: "PUT", headers: "content-type"),
                .refused(.preflight, .originNotAllowed)),
            make(
                "preflight refused: method", .options,
                preflight(origin: allowedOrigin, method: "PURGE", headers: nil),
                .refused(.preflight, .methodNotAllowed)),
            make(
                "preflight refused: header", .options,
                preflight(origin: allowedOrigin, method: "PUT", headers: "content-type,x-forbidden-here"),
                .refused(.preflight, .headerNotAllowed)),
            make(
                "1 exact origin", .get, browserFields(origin: allowedOrigin), .allowed(.actual),
                policy: Self.policy(origins: exactOrigins(1))),
            make(
                "1,000 exact origins", .get, browserFields(origin: allowedOrigin), .allowed(.actual),
                policy: Self.policy(origins: exactOrigins(1000))),
            make(
                "10,000 exact origins", .get, browserFields(origin: allowedOrigin), .allowed(.actual),
                policy: Self.policy(origins: exactOrigins(10_000))),
            make(
                "1 wildcard pattern", .get, browserFields(origin: patternOrigin), .allowed(.actual),
                policy: patternPolicy1),
            make(
                "1,000 wildcard patterns", .get, browserFields(origin: patternOrigin), .allowed(.actual),
                policy: patternPolicy1000),
            make(
                "regex origin", .get, browserFields(origin: "https://pr-4711.example.com"), .allowed(.actual),
                policy: Self.policy(origins: ["regex:^https://pr-[0-9]+\\.example\\.com$"])),
            make(
                "ACRH 1,024 commas", .options,
                preflight(origin: allowedOrigin, method: "PUT", headers: String(repeating: ",", count: 1024)),
                .refused(.preflight, .tooManyEmptyRequestHeaderItems)),
            make(
                "ACRH 64 KiB of names", .options,
                preflight(origin: allowedOrigin, method: "PUT", headers: longRequestHeaders),
                .refused(.preflight, .requestHeadersTooLong)),
        ]
    }()

    public static func engineCase(named name: String) -> EngineCase? {
        engineCases.first { $0.name == name }
    }
}
