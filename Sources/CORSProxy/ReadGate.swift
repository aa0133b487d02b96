#if Tools
import NIOCore

/// A handler's backpressure: holds the channel's `read()` while any reason to pause stands and
/// lets the held read through once none does. Only touched on the channel's event loop.
struct ReadGate {
    struct Reasons: OptionSet {
        let rawValue: UInt8
        /// The other side of the proxy can't take more yet.
        static let peerBehind = Reasons(rawValue: 1)
        /// Pipelined requests queue up behind the answer in flight.
        static let queueFull = Reasons(rawValue: 2)
        /// The client does not read its answers: more requests would only pile up more of them.
        static let clientBehind = Reasons(rawValue: 4)
        /// The request asked to switch protocols: NIO's decoder parses nothing after it, so
        /// reading more would only pile bytes up in it until the answer (or the tunnel) is there.
        static let switching = Reasons(rawValue: 8)
    }

    private var reasons: Reasons = []
    private var held = false

    var isPaused: Bool { !reasons.isEmpty }

    /// Call from the handler's `read(context:)`.
    mutating func read(_ context: ChannelHandlerContext) {
        if reasons.isEmpty {
            context.read()
        } else {
            held = true
        }
    }

    mutating func pause(_ reason: Reasons) {
        reasons.insert(reason)
    }

    mutating func resume(_ reason: Reasons, context: ChannelHandlerContext?) {
        guard reasons.contains(reason) else { return }
        reasons.remove(reason)
        if reasons.isEmpty, held, let context {
            held = false
            context.read()
        }
    }
}
#endif
