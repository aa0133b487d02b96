#if Tools
import CORSCheck
import HTTPTypes

extension AuditReport {
    /// `{"findings": [{"id", "severity", "origin", "evidence", "fix", ...}], ...}`: one line of JSON.
    ///
    /// Each finding also carries `url`, `seenIn`, `summary`, `rule` and `policy`; `evidence` is
    /// `{"request": {"method", "url", "headers"}, "response": {"status", "headers"}}` with headers as
    /// an object (repeated fields joined with `, `).
    public var json: String {
        var out = JSONWriter()
        out.object {
            $0.field("findings") { out in
                out.array(findings) { out, finding in finding.writeJSON(&out) }
            }
            $0.field("url", url)
            $0.field("siteOrigin", siteOrigin)
            $0.field("requestsSent") { $0.raw(String(requestsSent)) }
            $0.field("probesSkipped") { $0.raw(String(probesSkipped)) }
            $0.field("complete") { $0.raw(isComplete ? "true" : "false") }
            $0.field("notes") { out in out.array(notes) { $0.string($1) } }
            $0.field("errors") { out in out.array(errors) { $0.string($1) } }
        }
        return out.text
    }
}

extension AuditFinding {
    fileprivate func writeJSON(_ out: inout JSONWriter) {
        out.object {
            $0.field("id", id.rawValue)
            $0.field("severity", severity.description)
            $0.field("origin", origin)
            $0.field("evidence") { out in
                out.object {
                    $0.field("request") { out in
                        out.object {
                            $0.field("method", evidence.request.method.rawValue)
                            $0.field("url", evidence.request.url)
                            $0.field("headers") { $0.headers(evidence.request.headerFields) }
                        }
                    }
                    $0.field("response") { out in
                        out.object {
                            $0.field("status") { $0.raw(String(evidence.response.status)) }
                            $0.field("headers") { $0.headers(evidence.response.headerFields) }
                        }
                    }
                }
            }
            $0.field("fix", fix)
            $0.field("url", url)
            $0.field("seenIn") { out in out.array(seenIn) { $0.string($1.rawValue) } }
            $0.field("summary", summary)
            $0.field("rule", rule)
            $0.field("policy", policy)
        }
    }
}

/// A minimal JSON writer (no Foundation): objects keep the order fields are written in.
struct JSONWriter {
    private(set) var text = ""

    mutating func raw(_ value: String) {
        text += value
    }

    mutating func string(_ value: String) {
        text += Self.quoted(value)
    }

    mutating func object(_ body: (inout ObjectWriter) -> Void) {
        var object = ObjectWriter(writer: self)
        object.writer.text += "{"
        body(&object)
        object.writer.text += "}"
        self = object.writer
    }

    mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void) {
        text += "["
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            write(&self, element)
        }
        text += "]"
    }

    mutating func headers(_ fields: HTTPFields) {
        var names: [HTTPField.Name] = []
        var values: [HTTPField.Name: String] = [:]
        for field in fields {
            if let existing = values[field.name] {
                values[field.name] = existing + ", " + field.value
            } else {
                names.append(field.name)
                values[field.name] = field.value
            }
        }
        object { object in
            for name in names { object.field(name.rawName, values[name] ?? "") }
        }
    }

    static func quoted(_ value: String) -> String {
        JSONValue.quoted(value)
    }

    /// Writes the fields of one object.
    struct ObjectWriter {
        fileprivate var writer: JSONWriter
        private var first = true

        fileprivate init(writer: JSONWriter) {
            self.writer = writer
        }

        mutating func field(_ name: String, _ value: String) {
            field(name) { $0.string(value) }
        }

        mutating func field(_ name: String, _ write: (inout JSONWriter) -> Void) {
            if !first { writer.text += "," }
            first = false
            writer.text += JSONWriter.quoted(name) + ":"
            write(&writer)
        }
    }
}
#endif
