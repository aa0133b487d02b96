import HTTPTypes

/// A `--header 'Name: value'` argument of `check` and `audit`, refused with a sentence when it
/// would not be sent as written (a CR or LF would end the field, or start another).
enum HeaderOption {
    static func parse(_ line: String) throws(Problem) -> (name: String, value: String) {
        guard let colon = line.firstIndex(of: ":") else {
            throw Problem("--header \(shown(line)): expected 'Name: value'.")
        }
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
        guard !name.isEmpty, HTTPField.Name(name) != nil else {
            throw Problem(
                "--header \(shown(line)): \(shown(name)) is not a valid header name (letters, digits and !#$%&'*+-.^_`|~)."
            )
        }
        guard !value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x00 }) else {
            throw Problem("--header \(shown(name)): the value contains a line break or NUL.")
        }
        return (name, value)
    }

    struct Problem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    private static func shown(_ text: String) -> String {
        "'"
            + text.unicodeScalars.map { $0 == "\r" ? "\\r" : $0 == "\n" ? "\\n" : $0 == "\0" ? "\\0" : String($0) }
            .joined() + "'"
    }
}
