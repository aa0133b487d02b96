import Foundation
import NIOCore
import NIOPosix
import Testing

/// The echo API keeps HTTP/1.1 framing on every adapter: no body after 204, 304 or HEAD, so a
/// pipelined request behind one is read as a request (the seed: a JSON body after 304 made the
/// gateway answer the next request `502 … malformed answer`), and CONNECT is refused, framed.
@Suite(.serialized) struct EchoFramingTests {
    static let adapters = ["hummingbird", "vapor", "nio"]

    struct Response: CustomStringConvertible {
        var status: Int
        var fields: [(String, String)]
        var body: String
        var description: String { "\(status) \(fields) \(body.prefix(80))" }

        func field(_ name: String) -> String? { fields.first { $0.0.lowercased() == name }?.1 }
    }

    /// Reads responses off `text` by HTTP/1.1 framing; `bodiless[i]` says response i has none
    /// whatever it declares (the answer to a HEAD).
    static func responses(in text: String, bodiless: [Bool]) -> [Response]? {
        var rest = Substring(text)
        var parsed: [Response] = []
        while !rest.isEmpty {
            guard let headEnd = rest.range(of: "\r\n\r\n") else { return nil }
            let lines = rest[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            let statusParts = lines[0].split(separator: " ")
            guard statusParts.count >= 2, statusParts[0] == "HTTP/1.1", let status = Int(statusParts[1]) else {
                return nil
            }
            let fields = lines.dropFirst().map { line -> (String, String) in
                let colon = line.firstIndex(of: ":") ?? line.endIndex
                return (String(line[..<colon]), line[colon...].dropFirst().trimmingCharacters(in: .whitespaces))
            }
            var response = Response(status: status, fields: fields, body: "")
            rest = rest[headEnd.upperBound...]
            let noBody =
                status == 204 || status == 304 || (parsed.count < bodiless.count && bodiless[parsed.count])
            if !noBody, let length = response.field("content-length").flatMap(Int.init) {
                let bytes = Array(rest.utf8)
                guard bytes.count >= length else { return nil }
                response.body = String(decoding: bytes[..<length], as: UTF8.self)
                rest = Substring(String(decoding: bytes[length...], as: UTF8.self))
            }
            parsed.append(response)
        }
        return parsed
    }

    /// Everything the server writes for `request` until it closes (the last request says
    /// `Connection: close`); a server that never closes is cut after a 60 s backstop.
    static func exchange(port: Int, _ request: String) async throws -> String {
        let channel = try await rawConnection(port: port)
        let backstop = channel.channel.eventLoop.scheduleTask(in: .seconds(60)) { channel.channel.close(promise: nil) }
        defer { backstop.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            do {
                for try await chunk in inbound { text += String(buffer: chunk) }
            } catch {}
            return text
        }
    }

    static func withServer(adapter: String, _ body: (Int) async throws -> Void) async throws {
        let server = try await CORSProcess.serve(["--adapter", adapter, "--log-level", "warning"])
        defer { server.stop() }
        try await body(try #require(server.baseURL.split(separator: ":").last.flatMap { Int($0) }))
    }

    @Test(arguments: adapters)
    func bodilessStatusesAndHEADKeepPipelinedRequestsApart(adapter: String) async throws {
        try await Self.withServer(adapter: adapter) { port in
            let request =
                "GET /a?status=204 HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /b?status=304 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /c HTTP/1.1\r\nHost: x\r\n\r\n" + "GET /d?status=404 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let text = try await Self.exchange(port: port, request)
            let responses = try #require(
                Self.responses(in: text, bodiless: [false, false, true, false, false]), "\(adapter): \(text)")
            #expect(responses.map(\.status) == [204, 304, 200, 404, 200], "\(adapter): \(responses)")
            guard responses.count == 5 else { return }
            #expect(responses[0].field("content-length") == nil, "\(adapter): 204 declares no length")
            #expect(responses[1].field("content-length") == nil, "\(adapter): 304 declares no length")
            #expect(
                responses[2].field("content-length").flatMap(Int.init).map { $0 > 0 } == true,
                "\(adapter): HEAD declares the GET's length")
            #expect(responses[3].body.contains("\"/d\""), "\(adapter)")
            #expect(responses[4].body.contains("\"/last\""), "\(adapter): the last request is answered as itself")
        }
    }

    /// Reads until one whole response has come (by its length, or by the close that frames it).
    static func oneResponse(port: Int, _ request: String) async throws -> Response? {
        let channel = try await rawConnection(port: port)
        let backstop = channel.channel.eventLoop.scheduleTask(in: .seconds(60)) { channel.channel.close(promise: nil) }
        defer { backstop.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            do {
                for try await chunk in inbound {
                    text += String(buffer: chunk)
                    if let response = responses(in: text, bodiless: [false])?.first,
                        let length = response.field("content-length").flatMap(Int.init),
                        response.body.utf8.count == length
                    {
                        return response
                    }
                }
            } catch {}
            // Closed: what came is the whole response, whatever its length says.
            guard let headEnd = text.range(of: "\r\n\r\n") else { return nil }
            guard var response = responses(in: String(text[..<headEnd.upperBound]), bodiless: [true])?.first else {
                return nil
            }
            response.body = String(text[headEnd.upperBound...])
            return response.field("content-length").flatMap(Int.init).map { $0 == response.body.utf8.count } ?? true
                ? response : nil
        }
    }

    @Test(arguments: adapters)
    func connectIsRefusedFramed(adapter: String) async throws {
        try await Self.withServer(adapter: adapter) { port in
            let response = try await Self.oneResponse(
                port: port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
            #expect(response?.status == 405, "\(adapter): \(String(describing: response))")
            #expect(response?.field("allow")?.contains("GET") == true, "\(adapter)")
        }
    }
}
