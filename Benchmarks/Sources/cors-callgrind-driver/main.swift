import CORS
import CORSBenchFixtures
import HTTPTypes

// cors-callgrind-driver list
// cors-callgrind-driver decide|apply CASE-INDEX N
//
// Runs one engine operation N times. Under `valgrind --tool=callgrind`, the difference between
// a run with N and one with N=0 divided by N is the exact instruction count of one operation:
// everything else (start-up, building the policy and request) is the same in both runs.

@inline(never)
func consume<T>(_ value: T) {
    withUnsafePointer(to: value) { pointer in
        _ = UnsafeRawPointer(pointer).load(as: UInt8.self)
    }
}

let arguments = CommandLine.arguments
if arguments.count == 2, arguments[1] == "list" {
    for (index, engineCase) in Fixtures.engineCases.enumerated() { print("\(index)\t\(engineCase.name)") }
} else if arguments.count == 4, let index = Int(arguments[2]), Fixtures.engineCases.indices.contains(index),
    let count = Int(arguments[3])
{
    let engineCase = Fixtures.engineCases[index]
    engineCase.verify()
    let response = Fixtures.handlerResponseFields
    switch arguments[1] {
    case "decide":
        for _ in 0..<count { consume(engineCase.decide()) }
    case "apply":
        for _ in 0..<count { consume(engineCase.decideAndApply(to: response)) }
    default:
        fatalError("unknown mode \(arguments[1])")
    }
} else {
    print("usage: cors-callgrind-driver list | (decide|apply) CASE-INDEX N")
}
