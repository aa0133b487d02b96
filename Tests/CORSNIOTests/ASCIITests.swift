import CORSNIO
import Testing

/// The allocation-free comparisons every forwarded field goes through.
struct ASCIITests {
    struct Case: Sendable, CustomTestStringConvertible {
        let value: String
        let other: String
        let equal: Bool
        var testDescription: String { "\(value) ~ \(other)" }
    }

    static let cases: [Case] = [
        Case(value: "Connection", other: "connection", equal: true),
        Case(value: "CONNECTION", other: "Connection", equal: true),
        Case(value: "connection", other: "connectio", equal: false),
        Case(value: "x-a", other: "x-b", equal: false),
        Case(value: "", other: "", equal: true),
        // Bytes that differ only by 0x20 but are not letters stay different.
        Case(value: "@", other: "`", equal: false),
        Case(
            value: "a long header name past fifteen bytes", other: "A LONG HEADER NAME PAST FIFTEEN BYTES", equal: true),
    ]

    @Test(arguments: cases) func twoNamesOfAnyCase(_ check: Case) {
        #expect(ASCII.equalsIgnoringCase(check.value, anyCase: check.other) == check.equal)
        #expect(ASCII.equalsIgnoringCase(check.other, anyCase: check.value) == check.equal)
    }

    @Test func aLiteralIsComparedAsLowerCase() {
        // The StaticString overloads (the ones literals now resolve to) expect a lower-case literal.
        #expect(ASCII.equalsIgnoringCase("Keep-Alive", "keep-alive"))
        #expect(ASCII.equalsIgnoringCase(Substring("HTTPS"), "https"))
        #expect(!ASCII.equalsIgnoringCase("keep-alive2", "keep-alive"))
        // Only the StaticString overload, which takes the literal as lower case already, says no
        // here: an unlabelled (String, String) overload, which literals would resolve to, says yes.
        #expect(!ASCII.equalsIgnoringCase("keep-alive", "Keep-Alive"))
        #expect(ASCII.hasPrefixIgnoringCase("Access-Control-Allow-Origin", "access-control-"))
        #expect(!ASCII.hasPrefixIgnoringCase("Access", "access-control-"))
    }
}
