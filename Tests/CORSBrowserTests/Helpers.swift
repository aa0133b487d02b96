import CORSBrowser
import HTTPTypes

/// Builds header fields from `(name, value)` pairs, keeping repeated names as separate lines.
func fields(_ pairs: [(String, String)]) -> HTTPFields {
    var result = HTTPFields()
    for (name, value) in pairs {
        result.append(HTTPField(name: HTTPField.Name(name)!, value: value))
    }
    return result
}

/// Shorthand for a response.
func response(_ status: Int, _ pairs: [(String, String)] = []) -> BrowserResponse {
    BrowserResponse(status: status, headerFields: fields(pairs))
}

let appOrigin = "https://app.example"
let apiURL = "https://api.example/data"
