import HTTPTypes
import NIOCore
import NIOHTTP1
import Testing

@testable import CORSProxy

/// `ForwardStateMachine` as a transition table: each row is a sequence of events on one client
/// connection and the action the machine returns for each, written as short words, then the
/// state it ends in.
@Suite struct ForwardStateMachineTests {
    final class Token {}
    typealias Machine = ForwardStateMachine<Token>

    enum Event: CustomStringConvertible {
        /// A request head the route forwards (an upload limited to `limit` bytes, if given).
        case forward(
            sendsBody: Bool = true, limit: Int? = nil, responseLimit: Int? = nil, idempotent: Bool = true,
            tunnels: Bool = false)
        /// A request head the handler answers itself (a preflight, a refusal), then that answer's end.
        case ownAnswer(keepAlive: Bool = true)
        /// A part read while something may be in flight.
        case read(Part)
        case body(Int)
        case end
        case connected
        case relay(status: Int)
        case follow
        case refuse
        case upstreamBody(Int)
        case upstreamEnd
        /// The relayed answer's end is written.
        case answerWritten(keepAlive: Bool = true)
        case upstreamClosedBeforeAnswer(reused: Bool)
        case upstreamReadTimeout
        case timedOut
        case malformed
        case quiesce(inputClosed: Bool = false)
        case nextQueued
        case clientClosed

        enum Part { case head, body(Int), end }

        var description: String { "\(self)" }
    }

    /// Plays `events` and says what the machine did at each.
    static func play(_ events: [Event], limits: Machine.Limits = Machine.Limits()) -> (actions: [String], state: String)
    {
        var machine = Machine(limits: limits)
        var exchange = Token()
        var actions: [String] = []
        for event in events {
            switch event {
            case .forward(let sendsBody, let limit, let responseLimit, let idempotent, let tunnels):
                exchange = Token()
                machine.requestStarted()
                machine.forward(
                    exchange,
                    hop: Machine.Hop(
                        sendsBody: sendsBody, requestBodyLimit: limit, responseBodyLimit: responseLimit,
                        idempotent: idempotent, tunnels: tunnels))
                actions.append("connect")
            case .ownAnswer(let keepAlive):
                machine.requestStarted()
                actions.append(describe(machine.answerEnded(keepAlive: keepAlive)))
            case .read(let part):
                let action: Machine.ReadAction
                switch part {
                case .head: action = machine.received(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")))
                case .body(let bytes): action = machine.received(.body(ByteBuffer(repeating: 0, count: bytes)))
                case .end: action = machine.received(.end(nil))
                }
                switch action {
                case .handle: actions.append("handle")
                case .ignore: actions.append("ignore")
                case .queued(let pause): actions.append(pause ? "queued, pause" : "queued")
                }
            case .body(let bytes):
                switch machine.requestBody(ByteBuffer(repeating: 0, count: bytes)) {
                case .drop: actions.append("drop")
                case .send(let buffer): actions.append("send \(buffer.readableBytes)")
                case .held(let pause): actions.append(pause ? "hold, pause" : "hold")
                case .close: actions.append("close")
                case .abort(let action): actions.append(describe(action))
                }
            case .end:
                actions.append(machine.requestEnd(trailers: nil) ? "send end" : "no end yet")
            case .connected:
                if let start = machine.connected(exchange) {
                    actions.append("send head, \(start.heldParts.count) held, \(start.sendEnd ? "end" : "no end")")
                } else {
                    actions.append("return connection")
                }
            case .relay(let status): actions.append(describe(machine.upstreamHead(.relay(status: status))))
            case .follow: actions.append(describe(machine.upstreamHead(.follow)))
            case .refuse:
                actions.append(
                    describe(machine.upstreamHead(.refuse(ProxyRejection(.badGateway, reason: "refused", "no")))))
            case .upstreamBody(let bytes):
                switch machine.upstreamBody(bytes: bytes) {
                case .relay: actions.append("relay body")
                case .dropped: actions.append("dropped")
                case .nextHop: actions.append("next hop")
                case .abort(let action): actions.append(describe(action))
                case .ignore: actions.append("ignore")
                }
            case .upstreamEnd:
                switch machine.upstreamEnd() {
                case .complete(let status): actions.append("complete \(status)")
                case .nextHop: actions.append("next hop")
                case .tunnel: actions.append("tunnel")
                case .ignore: actions.append("ignore")
                }
            case .answerWritten(let keepAlive):
                actions.append(describe(machine.answerEnded(keepAlive: keepAlive)))
            case .upstreamClosedBeforeAnswer(let reused):
                let rejection = ProxyRejection(.badGateway, reason: "upstream-error", "closed")
                actions.append(
                    describe(
                        machine.abort(
                            .upstreamFailed(
                                .closed(beforeResponse: true), rejection: rejection, reusedConnection: reused))))
            case .upstreamReadTimeout:
                let rejection = ProxyRejection(.gatewayTimeout, reason: "upstream-timeout", "slow")
                actions.append(
                    describe(machine.abort(.upstreamFailed(.readTimeout, rejection: rejection, reusedConnection: true)))
                )
            case .timedOut:
                let rejection = ProxyRejection(.gatewayTimeout, reason: "upstream-timeout", "slow")
                actions.append(describe(machine.abort(.timedOut(rejection))))
            case .malformed:
                let rejection = ProxyRejection(.badRequest, reason: "bad-request", "not HTTP")
                actions.append(describe(machine.abort(.malformedRequest(rejection))))
            case .quiesce(let inputClosed):
                actions.append(machine.quiesce(inputClosed: inputClosed) ? "close" : "close after answer")
            case .nextQueued:
                let (part, resume) = machine.nextQueuedPart()
                let name =
                    switch part {
                    case .head: "head"
                    case .body: "body"
                    case .end: "end"
                    case nil: "none"
                    }
                actions.append(resume ? "\(name), resume" : name)
            case .clientClosed:
                actions.append(machine.clientClosed() == nil ? "nothing in flight" : "abandon")
            }
        }
        return (actions, describe(machine))
    }

    static func describe(_ end: Machine.AnswerEnd) -> String {
        end == .close ? "end, close" : "end, keep alive"
    }

    static func describe(_ action: Machine.HeadAction) -> String {
        switch action {
        case .relay: "relay head"
        case .drain: "drain"
        case .abort(let action): describe(action)
        case .ignore: "ignore"
        }
    }

    static func describe(_ action: Machine.AbortAction) -> String {
        switch action {
        case .answer(let rejection): "answer \(rejection.status.code)"
        case .cutShort(let status, let reason): "cut short \(status)" + (reason.map { " (\($0))" } ?? "")
        case .retry: "retry"
        case .close: "close"
        }
    }

    static func describe(_ machine: Machine) -> String {
        let upload =
            switch machine.upload {
            case .none: ""
            case .receiving: ", receiving"
            case .discarding(let remaining): ", discarding \(remaining)"
            }
        let state =
            switch machine.state {
            case .idle: "idle"
            case .closed: "closed"
            case .tunnelling: "tunnelling"
            case .modifying: "modifying"
            case .forwarding(let flight):
                switch flight.phase {
                case .connecting: "connecting"
                case .awaitingAnswer: "awaiting answer"
                case .relaying(let status): "relaying \(status)"
                case .drainingRedirect(let dropped): "draining \(dropped)"
                }
            }
        return state + upload
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var events: [Event]
        var actions: [String]
        var state: String
        var limits = Machine.Limits()
        var testDescription: String { name }
    }

    static let small: Machine.Limits = {
        var limits = Machine.Limits()
        limits.queuedParts = 2
        limits.bufferedUploadBytes = 10
        limits.redirectDrainBytes = 10
        limits.refusedUploadBytes = 10
        return limits
    }()

    static let rows: [Row] = [
        Row(
            name: "a WebSocket handshake the upstream accepts: 101 relayed, then the connection is a tunnel",
            events: [
                .forward(sendsBody: false, tunnels: true), .end, .connected, .relay(status: 101), .upstreamEnd,
                .read(.head), .quiesce(),
            ],
            actions: [
                "connect", "no end yet", "send head, 0 held, end", "relay head", "tunnel", "ignore", "close",
            ],
            state: "tunnelling"),
        Row(
            name: "a WebSocket handshake the upstream declines: its answer completes as any other",
            events: [
                .forward(sendsBody: false, tunnels: true), .end, .connected, .relay(status: 400), .upstreamEnd,
            ],
            actions: ["connect", "no end yet", "send head, 0 held, end", "relay head", "complete 400"],
            state: "idle"),
        Row(
            name: "a 101 for a request that asked for no switch is not a tunnel",
            events: [.forward(sendsBody: false), .end, .connected, .relay(status: 101), .upstreamEnd],
            actions: ["connect", "no end yet", "send head, 0 held, end", "relay head", "complete 101"],
            state: "idle"),
        Row(
            name: "a GET: connect, send head and end, relay, complete, keep alive",
            events: [
                .forward(sendsBody: false), .end, .connected, .relay(status: 200), .upstreamBody(5), .upstreamEnd,
                .answerWritten(),
            ],
            actions: [
                "connect", "no end yet", "send head, 0 held, end", "relay head", "relay body", "complete 200",
                "end, keep alive",
            ],
            state: "idle"),
        Row(
            name: "an upload before the connection is ready is held, then sent with the end",
            events: [.forward(), .body(4), .body(4), .end, .connected],
            actions: ["connect", "hold", "hold", "no end yet", "send head, 2 held, end"],
            state: "awaiting answer"),
        Row(
            name: "too much held pauses reading",
            events: [.forward(), .body(8), .body(8)],
            actions: ["connect", "hold", "hold, pause"], state: "connecting, receiving", limits: small),
        Row(
            name: "once connected, the body streams and the end follows it",
            events: [.forward(), .connected, .body(3), .end],
            actions: ["connect", "send head, 0 held, no end", "send 3", "send end"], state: "awaiting answer"),
        Row(
            name: "an upload past the limit is 413 and the rest is discarded, then the connection closes",
            events: [.forward(limit: 5), .connected, .body(4), .body(4), .body(6), .body(6)],
            actions: ["connect", "send head, 0 held, no end", "send 4", "answer 413", "drop", "close"],
            state: "idle, discarding -2", limits: small),
        Row(
            name: "an upload past the limit once the answer started cuts it short",
            events: [.forward(limit: 5), .connected, .relay(status: 200), .body(9)],
            actions: ["connect", "send head, 0 held, no end", "relay head", "cut short 200"], state: "closed, receiving"
        ),
        Row(
            name: "a hop that sends no body drops the client's",
            events: [.forward(sendsBody: false), .connected, .body(3), .end],
            actions: ["connect", "send head, 0 held, end", "drop", "no end yet"], state: "awaiting answer"),
        Row(
            name: "a kept-alive connection closed before any answer is retried once, fresh",
            events: [
                .forward(sendsBody: false), .end, .connected, .upstreamClosedBeforeAnswer(reused: true),
                .connected, .upstreamClosedBeforeAnswer(reused: true),
            ],
            actions: [
                "connect", "no end yet", "send head, 0 held, end", "retry", "send head, 0 held, end", "answer 502",
            ],
            state: "idle"),
        Row(
            name: "no retry for a new connection, a non-idempotent method, or once the body went",
            events: [
                .forward(sendsBody: false), .connected, .upstreamClosedBeforeAnswer(reused: false),
                .forward(idempotent: false), .connected, .upstreamClosedBeforeAnswer(reused: true),
                .forward(), .connected, .body(1), .upstreamClosedBeforeAnswer(reused: true),
            ],
            actions: [
                "connect", "send head, 0 held, end", "answer 502", "connect", "send head, 0 held, no end",
                "answer 502", "connect", "send head, 0 held, no end", "send 1", "answer 502",
            ],
            state: "idle, receiving"),
        Row(
            name: "a failure after the head is out cuts the answer short",
            events: [.forward(sendsBody: false), .connected, .relay(status: 200), .upstreamReadTimeout],
            actions: ["connect", "send head, 0 held, end", "relay head", "cut short 200"], state: "closed, receiving"),
        Row(
            name: "the time limit: 504 before the head, cut short (and counted) after",
            events: [
                .forward(sendsBody: false), .timedOut, .forward(sendsBody: false), .connected,
                .relay(status: 200), .timedOut,
            ],
            actions: [
                "connect", "answer 504", "connect", "send head, 0 held, end", "relay head",
                "cut short 200 (upstream-timeout)",
            ],
            state: "closed, receiving"),
        Row(
            name: "an answer body past the limit is cut short and counted",
            events: [
                .forward(sendsBody: false, responseLimit: 3), .connected, .relay(status: 200), .upstreamBody(2),
                .upstreamBody(2),
            ],
            actions: [
                "connect", "send head, 0 held, end", "relay head", "relay body", "cut short 200 (response-too-large)",
            ],
            state: "closed, receiving"),
        Row(
            name: "a refused answer head is answered with our own",
            events: [.forward(sendsBody: false), .connected, .refuse],
            actions: ["connect", "send head, 0 held, end", "answer 502"], state: "idle, receiving"),
        Row(
            name: "a redirect: its body dropped, the next hop connected, its answer relayed",
            events: [
                .forward(sendsBody: false), .end, .connected, .follow, .upstreamBody(4), .upstreamEnd, .connected,
                .relay(status: 200), .upstreamEnd,
            ],
            actions: [
                "connect", "no end yet", "send head, 0 held, end", "drain", "dropped", "next hop",
                "send head, 0 held, end", "relay head", "complete 200",
            ],
            state: "idle"),
        Row(
            name: "a redirect body too long to drain: its connection is cut, on to the next hop",
            events: [.forward(sendsBody: false), .connected, .follow, .upstreamBody(8), .upstreamBody(8)],
            actions: ["connect", "send head, 0 held, end", "drain", "dropped", "next hop"],
            state: "connecting, receiving", limits: small),
        Row(
            name: "a late connection for an exchange that ended goes back",
            events: [.forward(sendsBody: false), .timedOut, .connected],
            actions: ["connect", "answer 504", "return connection"], state: "idle, receiving"),
        Row(
            name: "pipelined requests wait behind the answer in flight and go in order",
            events: [
                .forward(sendsBody: false), .read(.head), .read(.end), .read(.head), .connected,
                .relay(status: 200), .upstreamEnd, .answerWritten(), .nextQueued, .nextQueued,
            ],
            actions: [
                "connect", "queued", "queued", "queued", "send head, 0 held, end", "relay head", "complete 200",
                "end, keep alive", "head", "end",
            ],
            state: "idle, receiving"),
        Row(
            name: "a full queue pauses reading; it resumes once drained",
            events: [
                .forward(sendsBody: false), .read(.head), .read(.end), .read(.head), .connected,
                .relay(status: 200), .upstreamEnd, .answerWritten(), .nextQueued, .nextQueued, .nextQueued,
                .nextQueued,
            ],
            actions: [
                "connect", "queued", "queued", "queued, pause", "send head, 0 held, end", "relay head",
                "complete 200", "end, keep alive", "head", "end", "head", "none, resume",
            ],
            state: "idle, receiving", limits: small),
        Row(
            name: "a queued head waits while the next request is in flight",
            events: [
                .forward(sendsBody: false), .read(.head), .read(.head), .connected, .relay(status: 200),
                .upstreamEnd, .answerWritten(), .nextQueued, .forward(sendsBody: false), .nextQueued,
            ],
            actions: [
                "connect", "queued", "queued", "send head, 0 held, end", "relay head", "complete 200",
                "end, keep alive", "head", "connect", "none, resume",
            ],
            state: "connecting, receiving"),
        Row(
            name: "a request that does not keep the connection alive closes it after its answer",
            events: [.ownAnswer(keepAlive: false), .read(.head)],
            actions: ["end, close", "ignore"], state: "closed, receiving"),
        Row(
            name: "graceful shutdown: close at once when idle",
            events: [.ownAnswer(), .end, .quiesce()], actions: ["end, keep alive", "no end yet", "close"], state: "idle"
        ),
        Row(
            name: "graceful shutdown: the answer in flight finishes, then the connection closes",
            events: [
                .forward(sendsBody: false), .end, .quiesce(), .connected, .relay(status: 200), .upstreamEnd,
                .answerWritten(),
            ],
            actions: [
                "connect", "no end yet", "close after answer", "send head, 0 held, end", "relay head",
                "complete 200", "end, close",
            ],
            state: "closed"),
        Row(
            name: "bytes that are not HTTP: our 400, and the connection closes after it",
            events: [.malformed, .answerWritten()], actions: ["answer 400", "end, close"], state: "closed"),
        Row(
            name: "bytes that are not HTTP mid-answer: cut short",
            events: [.forward(sendsBody: false), .connected, .relay(status: 200), .malformed],
            actions: ["connect", "send head, 0 held, end", "relay head", "cut short 200"], state: "closed, receiving"),
        Row(
            name: "the client goes away: the exchange in flight is abandoned, late events ignored",
            events: [.forward(sendsBody: false), .connected, .clientClosed, .relay(status: 200), .upstreamEnd],
            actions: ["connect", "send head, 0 held, end", "abandon", "ignore", "ignore"], state: "closed, receiving"),
    ]

    @Test(arguments: rows)
    func transitions(_ row: Row) {
        let (actions, state) = Self.play(row.events, limits: row.limits)
        #expect(actions == row.actions)
        #expect(state == row.state)
    }

    /// Ten thousand one-byte parts held while connecting all go out once connected, in order.
    @Test func manySmallHeldPartsAllGoOut() {
        var machine = Machine()
        let exchange = Token()
        machine.requestStarted()
        machine.forward(
            exchange, hop: .init(sendsBody: true, requestBodyLimit: nil, responseBodyLimit: nil, idempotent: true))
        for _ in 0..<10_000 { _ = machine.requestBody(ByteBuffer(repeating: 1, count: 1)) }
        #expect(machine.flight?.heldBytes == 10_000)
        let start = machine.connected(exchange)
        #expect(start?.heldParts.count == 10_000)
        #expect(machine.flight?.heldBytes == 0)
    }
}
