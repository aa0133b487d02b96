import CORSBrowser
import Testing

@Suite struct TokenListTests {
    struct Case: Sendable, CustomStringConvertible {
        let value: String
        let items: [String]?
        var description: String { "'\(value)'" }
    }

    static let cases: [Case] = [
        Case(value: "", items: []),
        Case(value: "GET", items: ["GET"]),
        Case(value: "GET,PUT", items: ["GET", "PUT"]),
        Case(value: " GET ,\tPUT ", items: ["GET", "PUT"]),
        Case(value: "GET, , PUT,", items: ["GET", "PUT"]),
        Case(value: "*", items: ["*"]),
        Case(value: "GET PUT", items: nil),
        Case(value: "GET;PUT", items: nil),
        Case(value: "x-a, \"x-b\"", items: nil),
        Case(value: "x-a, (x-b)", items: nil),
        Case(value: "x-a, x/b", items: nil),
    ]

    @Test(arguments: cases)
    func parse(_ testCase: Case) {
        #expect(TokenList.parse(testCase.value) == testCase.items)
    }
}
