import HTTPTypes

/// The request fields a decision reads, found in one pass over the request's fields.
///
/// `HTTPFields` subscripts by name walk every field and compare names as strings (and the
/// getter joins values through generic code); one pass comparing name lengths first, then the
/// bytes of the few names that can match, costs a fraction of that.
struct CORSRequestFields {
    /// The first `Origin` value, and how many `Origin` fields there are.
    var origin: String?
    var originCount = 0
    /// Where the first `Origin` and `Access-Control-Request-Method` fields are.
    var originIndex = 0
    var requestMethodIndex = 0
    var requestMethod: String?
    var requestMethodCount = 0
    var requestHeadersCount = 0
    /// Where the first `Access-Control-Request-Headers` field is.
    var firstRequestHeadersIndex = 0
    var privateNetwork: String?
    var privateNetworkCount = 0

    static let origin = "origin"
    static let requestMethod = "access-control-request-method"
    static let requestHeaders = "access-control-request-headers"
    static let requestPrivateNetwork = "access-control-request-private-network"

    init(_ fields: HTTPFields) {
        var index = fields.startIndex
        while index < fields.endIndex {
            let name = fields[index].name.canonicalName
            switch name.utf8.count {
            case 6:
                if name == Self.origin {
                    originCount += 1
                    if originCount == 1 {
                        origin = fields[index].value
                        originIndex = index
                    }
                }
            case 29:
                if name == Self.requestMethod {
                    requestMethodCount += 1
                    if requestMethodCount == 1 {
                        requestMethod = fields[index].value
                        requestMethodIndex = index
                    }
                }
            case 30:
                if name == Self.requestHeaders {
                    if requestHeadersCount == 0 { firstRequestHeadersIndex = index }
                    requestHeadersCount += 1
                }
            case 38:
                if name == Self.requestPrivateNetwork {
                    privateNetworkCount += 1
                    if privateNetworkCount == 1 { privateNetwork = fields[index].value }
                }
            default:
                break
            }
            index += 1
        }
    }

    /// The request's field at `index` renamed: its value was validated when the request was parsed.
    @inline(__always)
    static func renamed(_ fields: HTTPFields, at index: Int, to name: HTTPField.Name) -> HTTPField {
        var field = fields[index]
        field.name = name
        field.indexingStrategy = .automatic
        return field
    }

    /// Whether the field at `index` is `Access-Control-Request-Headers`.
    @inline(__always)
    static func isRequestHeaders(_ fields: HTTPFields, at index: Int) -> Bool {
        let name = fields[index].name.canonicalName
        return name.utf8.count == 30 && name == requestHeaders
    }
}
