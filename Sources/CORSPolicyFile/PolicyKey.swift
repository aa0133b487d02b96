#if PolicyFile
/// A key of a policy file, named as in `CORSConfiguration` (Express `cors`-like names).
enum PolicyKey: String, CaseIterable, Sendable {
    case path
    case origins
    case allowNullOrigin
    case methods
    case allowedHeaders
    case exposedHeaders
    case credentials
    case maxAge
    case privateNetwork
    case preflightContinue
    case optionsSuccessStatus
    case debug
    case caseInsensitivePaths
    case routes

    /// The keys of the top level, in the order ``PolicyFile/render(_:)`` writes them.
    static let topLevel: [PolicyKey] = allCases.filter { $0 != .path }
    /// The keys of an entry of `routes`.
    static let route: [PolicyKey] = allCases.filter { $0 != .routes && $0 != .caseInsensitivePaths }

    /// The names other CORS libraries (Express `cors`, flask-cors, Vapor, Hummingbird, Spring, rs/cors) and
    /// the response headers use, by their ``normalized(_:)`` form.
    private static let aliases: [String: [PolicyKey]] = [
        "origin": [.origins], "alloworigin": [.origins], "alloworigins": [.origins],
        "allowedorigin": [.origins], "allowedorigins": [.origins], "allowedoriginpatterns": [.origins],
        "originpatterns": [.origins], "accesscontrolalloworigin": [.origins], "corsorigins": [.origins],
        "method": [.methods], "allowmethod": [.methods], "allowmethods": [.methods],
        "allowedmethod": [.methods], "allowedmethods": [.methods], "accesscontrolallowmethods": [.methods],
        "header": [.allowedHeaders], "headers": [.allowedHeaders], "allowheader": [.allowedHeaders],
        "allowheaders": [.allowedHeaders], "allowedheader": [.allowedHeaders], "requestheaders": [.allowedHeaders],
        "accesscontrolallowheaders": [.allowedHeaders],
        "expose": [.exposedHeaders], "exposeheader": [.exposedHeaders], "exposeheaders": [.exposedHeaders],
        "exposedheader": [.exposedHeaders], "responseheaders": [.exposedHeaders],
        "accesscontrolexposeheaders": [.exposedHeaders],
        "credential": [.credentials], "allowcredentials": [.credentials], "supportscredentials": [.credentials],
        "withcredentials": [.credentials], "accesscontrolallowcredentials": [.credentials],
        "cacheexpiration": [.maxAge], "cachemaxage": [.maxAge], "preflightmaxage": [.maxAge],
        "accesscontrolmaxage": [.maxAge],
        "allowprivatenetwork": [.privateNetwork], "privatenetworkaccess": [.privateNetwork],
        "accesscontrolallowprivatenetwork": [.privateNetwork],
        "optionspassthrough": [.preflightContinue], "passthrough": [.preflightContinue],
        "successstatus": [.optionsSuccessStatus], "optionsstatus": [.optionsSuccessStatus],
        "preflightstatus": [.optionsSuccessStatus],
        "allownull": [.allowNullOrigin], "nullorigin": [.allowNullOrigin],
        "route": [.routes, .path], "resources": [.routes], "overrides": [.routes], "paths": [.routes],
        "caseinsensitive": [.caseInsensitivePaths], "ignorecase": [.caseInsensitivePaths],
        "pattern": [.path], "url": [.path], "urlpattern": [.path], "prefix": [.path], "resource": [.path],
    ]

    /// The key `key` was most likely meant to be, among `valid`: the same name in another case or
    /// spelling (`max_age`, `Credentials`), another library's name (`allowCredentials`), or a key at most
    /// two edits away (`allowedHeader`).
    static func suggestion(for key: String, among valid: [PolicyKey]) -> PolicyKey? {
        let normalizedKey = normalized(key)
        if let match = valid.first(where: { normalizedNames[$0] == normalizedKey }) {
            return match
        }
        if let match = aliases[normalizedKey]?.first(where: valid.contains) {
            return match
        }
        // A file of many unknown keys costs one cheap test per key and candidate: a name whose length
        // differs by more than two can't be two edits away.
        let lowercasedKey = Array(key.lowercased())
        var best: (key: PolicyKey, distance: Int)?
        for candidate in valid {
            guard let name = lowercasedNames[candidate], abs(name.count - lowercasedKey.count) <= 2 else { continue }
            let distance = editDistance(lowercasedKey, name)
            if distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        guard let best, best.distance <= 2, best.distance < lowercasedKey.count else { return nil }
        return best.key
    }

    private static let normalizedNames = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, normalized($0.rawValue)) })
    private static let lowercasedNames = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0, Array($0.rawValue.lowercased())) })

    /// Lowercased, without `_`, `-`, `.` and spaces: `max_age`, `Max-Age` and `maxAge` are the same.
    static func normalized(_ key: String) -> String {
        String(key.lowercased().filter { !"_-. ".contains($0) })
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousRow: [Int] = []
        var row = Array(0...b.count)
        for i in 1...a.count {
            let beforePrevious = previousRow
            previousRow = row
            row = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previousRow[j] + 1, row[j - 1] + 1, previousRow[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], beforePrevious[j - 2] + 1)
                }
            }
        }
        return row[b.count]
    }
}
#endif
