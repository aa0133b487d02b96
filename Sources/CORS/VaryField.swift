import HTTPTypes

/// Appends names to `Vary` without overwriting or repeating what is there.
///
/// https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches
enum VaryField {
    /// `names` is a precomputed `, `-separated list.
    static func merge(_ names: String, into fields: inout HTTPFields) {
        guard fields.contains(.vary) else {
            fields.append(HTTPField(name: .vary, value: names))
            return
        }
        let existing = fields[values: .vary].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingSpaces.lowercased()
        }
        if existing.contains("*") { return }
        let missing = names.split(separator: ",").map(\.trimmingSpaces).filter {
            !existing.contains($0.lowercased())
        }
        guard !missing.isEmpty else { return }
        let combined = (fields[values: .vary] + missing.map(String.init)).joined(separator: ", ")
        fields[.vary] = combined
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
