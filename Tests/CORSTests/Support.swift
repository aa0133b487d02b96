import CORS
import HTTPTypes
import Testing

/// One request or response header field of a case, as written in the tables.
struct Header: Sendable, CustomStringConvertible {
    let name: String
    let value: String

    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Built leniently so a case can carry control bytes and raw UTF-8, as a hostile client would.
    var field: HTTPField {
        HTTPField(name: HTTPField.Name(name)!, lenientValue: Array(value.utf8))
    }

    var description: String { "\(name): \(value)" }
}

/// Request header shorthands for the tables.
func origin(_ value: String) -> Header { Header("Origin", value) }
func acrm(_ value: String) -> Header { Header("Access-Control-Request-Method", value) }
func acrh(_ value: String) -> Header { Header("Access-Control-Request-Headers", value) }
func acrpn(_ value: String = "true") -> Header { Header("Access-Control-Request-Private-Network", value) }
func vary(_ value: String) -> Header { Header("Vary", value) }

/// The `Vary` a policy with dynamic origins adds to responses other than to `OPTIONS`.
let varyOrigin = "Origin"
/// The `Vary` every response to `OPTIONS` gets.
let varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
/// The same with Private Network Access enabled.
let varyPreflightPNA =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"

/// What the client sees: the exact CORS header fields (nil = absent), the status, and why the
/// engine refused, if it did.
struct Expected: Sendable {
    enum Outcome: Sendable, Equatable, CustomStringConvertible {
        /// The handler ran (and its response was edited).
        case forwarded
        /// The middleware answered itself with this status and an empty body.
        case answered(Int)

        var description: String {
            switch self {
            case .forwarded: "forwarded"
            case .answered(let code): "answered \(code)"
            }
        }
    }

    var outcome: Outcome
    var acao: String?
    var acac: String?
    var acam: String?
    var acah: String?
    var acma: String?
    var aceh: String?
    var acapn: String?
    var vary: String?
    var rejection: CORSRejection.Reason?
    /// Other fields the final response must carry exactly (e.g. the handler's own).
    var others: [Header]

    static func forwarded(
        acao: String? = nil, acac: String? = nil, acam: String? = nil, acah: String? = nil, acma: String? = nil,
        aceh: String? = nil, acapn: String? = nil, vary: String?, rejection: CORSRejection.Reason? = nil,
        others: [Header] = []
    ) -> Expected {
        Expected(
            outcome: .forwarded, acao: acao, acac: acac, acam: acam, acah: acah, acma: acma, aceh: aceh,
            acapn: acapn, vary: vary, rejection: rejection, others: others)
    }

    static func answered(
        _ status: Int, acao: String? = nil, acac: String? = nil, acam: String? = nil, acah: String? = nil,
        acma: String? = nil, aceh: String? = nil, acapn: String? = nil, vary: String?,
        rejection: CORSRejection.Reason? = nil
    ) -> Expected {
        Expected(
            outcome: .answered(status), acao: acao, acac: acac, acam: acam, acah: acah, acma: acma, aceh: aceh,
            acapn: acapn, vary: vary, rejection: rejection, others: [])
    }

    /// A refused preflight: 403, no CORS fields, only `Vary`.
    static func refusedPreflight(_ reason: CORSRejection.Reason, vary: String = varyPreflight) -> Expected {
        .answered(403, vary: vary, rejection: reason)
    }
}

/// One row of a behaviour table: a policy, a request, and what must come back.
struct BehaviourCase: Sendable, CustomTestStringConvertible {
    let name: String
    let config: CORSConfiguration
    let method: String
    let path: String?
    let headers: [Header]
    /// The fields the handler put on its response (used when the request is forwarded).
    let handlerFields: [Header]
    let expected: Expected

    init(
        _ name: String, _ config: CORSConfiguration, path: String? = "/", _ headers: [Header],
        handler handlerFields: [Header] = [], _ expected: Expected
    ) {
        self.init(name, config, "GET", path: path, headers, handler: handlerFields, expected)
    }

    init(
        _ name: String, _ config: CORSConfiguration, _ method: String, path: String? = "/", _ headers: [Header],
        handler handlerFields: [Header] = [], _ expected: Expected
    ) {
        self.name = name
        self.config = config
        self.method = method
        self.path = path
        self.headers = headers
        self.handlerFields = handlerFields
        self.expected = expected
    }

    var testDescription: String { name }
}

/// The CORS response fields every case pins down exactly.
let corsFieldNames: [(label: String, name: HTTPField.Name, value: @Sendable (Expected) -> String?)] = [
    ("ACAO", .accessControlAllowOrigin, { $0.acao }),
    ("ACAC", .accessControlAllowCredentials, { $0.acac }),
    ("ACAM", .accessControlAllowMethods, { $0.acam }),
    ("ACAH", .accessControlAllowHeaders, { $0.acah }),
    ("ACMA", .accessControlMaxAge, { $0.acma }),
    ("ACEH", .accessControlExposeHeaders, { $0.aceh }),
    ("ACAPN", .accessControlAllowPrivateNetwork, { $0.acapn }),
]

/// What a middleware does with a decision: answer, or run the handler and edit its response.
struct Served {
    var outcome: Expected.Outcome
    var fields: HTTPFields
    var decision: CORSDecision
}

func serve(
    _ policy: CORSPolicy, method: String, path: String?, headers: [Header], handlerFields: [Header] = []
) async -> Served {
    let requestFields = HTTPFields(headers.map(\.field))
    let decision = await policy.decide(
        method: HTTPRequest.Method(method)!, path: path, headerFields: requestFields)
    if let status = decision.immediateStatus {
        return Served(outcome: .answered(status.code), fields: decision.immediateResponseFields, decision: decision)
    }
    var fields = HTTPFields(handlerFields.map(\.field))
    decision.apply(to: &fields)
    // What adapters write without building HTTPFields: the same as apply(to:) on no fields.
    var applied = HTTPFields()
    decision.apply(to: &applied)
    var emitted = HTTPFields()
    decision.forEachField { emitted.append($0) }
    #expect(emitted == applied, "forEachField")
    return Served(outcome: .forwarded, fields: fields, decision: decision)
}

/// Runs one case end to end and checks every expectation.
func check(_ c: BehaviourCase, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let policy = try CORSPolicy(c.config)
    let served = await serve(
        policy, method: c.method, path: c.path, headers: c.headers, handlerFields: c.handlerFields)
    verify(served, request: c.headers, method: c.method, expected: c.expected, sourceLocation: sourceLocation)
}

func verify(
    _ served: Served, request: [Header], method: String, expected: Expected,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let fields = served.fields
    #expect(served.outcome == expected.outcome, "outcome", sourceLocation: sourceLocation)
    for (label, name, value) in corsFieldNames {
        let want = value(expected).map { [$0] } ?? []
        #expect(fields[values: name] == want, "\(label)", sourceLocation: sourceLocation)
    }
    #expect(fields[.vary] == expected.vary, "Vary", sourceLocation: sourceLocation)
    #expect(served.decision.rejection?.reason == expected.rejection, "rejection", sourceLocation: sourceLocation)
    #expect(
        // A request without Origin is never "allowed", though a `*` policy gives it `ACAO: *`.
        served.decision.isAllowed
            == (expected.acao != nil && expected.rejection == nil
                && request.contains { $0.name.lowercased() == "origin" }),
        "isAllowed",
        sourceLocation: sourceLocation)
    if case .answered(let status) = served.outcome {
        // An empty answer says so, except a 204, which HTTP forbids to carry Content-Length (RFC 9110 §8.6).
        #expect(
            fields[values: .contentLength] == (status == 204 ? [] : ["0"]), "Content-Length",
            sourceLocation: sourceLocation)
    }
    for other in expected.others {
        #expect(
            fields[values: HTTPField.Name(other.name)!] == [other.value], "\(other.name)",
            sourceLocation: sourceLocation)
    }
    // No Access-Control-* field other than the ones pinned above may appear.
    let pinned = Set(corsFieldNames.map(\.name))
    let stray = fields.filter { $0.name.canonicalName.hasPrefix("access-control-") && !pinned.contains($0.name) }
    #expect(stray.isEmpty, "stray CORS fields \(stray)", sourceLocation: sourceLocation)

    // The classification follows from the request alone.
    let hasOrigin = request.contains { $0.name.lowercased() == "origin" }
    let hasACRM = request.contains { $0.name.lowercased() == "access-control-request-method" }
    let kind: CORSDecision.Kind = !hasOrigin ? .notCORS : (method == "OPTIONS" && hasACRM ? .preflight : .actual)
    #expect(served.decision.kind == kind, "kind", sourceLocation: sourceLocation)
}

/// The policy of docs/PEERS.md's examples.
let example = CORSConfiguration(
    origins: ["https://a.com"], methods: ["PUT", "PURGE"], allowedHeaders: ["Authorization"],
    exposedHeaders: ["X-Foo"], credentials: true, maxAge: 30)

/// Returns `base` with some fields changed, so a table can say only what differs.
func with(_ base: CORSConfiguration = example, _ change: (inout CORSConfiguration) -> Void) -> CORSConfiguration {
    var copy = base
    change(&copy)
    return copy
}
