#if Tools
import NIOConcurrencyHelpers
import NIOCore

/// How many requests one origin may make per window (`--rate-limit 60/min`).
public struct RateLimit: Sendable, Equatable {
    /// How many requests each origin, and each client address, may make in one window.
    public var requests: Int
    /// The length of a window; each key's window starts with its first request (fixed windows, not sliding).
    public var window: Duration

    /// Creates a limit of `requests` per `window`, e.g. `RateLimit(requests: 60, per: .seconds(60))`.
    ///
    /// - Parameters:
    ///   - requests: the requests allowed per window, for each origin and each client address.
    ///   - window: the length of a window.
    public init(requests: Int, per window: Duration) {
        self.requests = requests
        self.window = window
    }

    /// Parses `N/s`, `N/min` (also `N/MIN`, `N/m`), `N/h`, or a bare `N` (per minute).
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let count = Int(first), count > 0 else { return nil }
        let unit = parts.count == 2 ? String(parts[1]) : "min"
        let window: Duration
        switch unit {
        case "s", "sec", "second": window = .seconds(1)
        case "m", "min", "minute": window = .seconds(60)
        case "h", "hour": window = .seconds(3600)
        default: return nil
        }
        self.init(requests: count, per: window)
    }
}

/// Fixed-window counters per origin and per client address: a request is refused while either
/// has used up its window, so rotating the `Origin` header from one address gains nothing.
///
/// The cost per request is constant whatever an attacker sends: keys are bounded in size (an
/// origin longer than any valid one is cut), expired windows leave in order of their start (a
/// queue, no scan of the map), and at most ``maximumKeys`` are tracked (the oldest window goes
/// first when a new key needs room).
final class RateLimiter: Sendable {
    /// At most this many origins and addresses are tracked at once.
    static let maximumKeys = 10_000
    /// Longer origins are keyed by their first bytes: no valid origin is this long.
    static let maximumKeyBytes = 328

    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    private struct State {
        var windows: [String: Window] = [:]
        /// Each window's key and start, oldest first; an entry whose window was renewed since is stale.
        var starts = CircularBuffer<(key: String, start: ContinuousClock.Instant)>()
    }

    let limit: RateLimit
    private let state = NIOLockedValueBox(State())

    init(_ limit: RateLimit) {
        self.limit = limit
    }

    /// Counts one request from `origin` (if any) and `clientAddress` (if known); returns nil when
    /// allowed, else the whole seconds until the exhausted window resets. A refused request counts
    /// against nothing.
    func acquire(origin: String?, clientAddress: String?, now: ContinuousClock.Instant = .now) -> Int? {
        var keys: [String] = []
        if let origin {
            keys.append("origin " + String(decoding: origin.utf8.prefix(Self.maximumKeyBytes), as: UTF8.self))
        }
        if let clientAddress { keys.append("address " + clientAddress) }
        if keys.isEmpty { keys.append("-") }
        return state.withLockedValue { state in
            Self.removeExpired(from: &state, now: now, window: limit.window)
            var retryAfter: Int?
            for key in keys {
                guard let window = state.windows[key], window.count >= limit.requests else { continue }
                let remaining = limit.window - (now - window.start)
                let seconds = max(1, Int(remaining.components.seconds) + (remaining.components.attoseconds > 0 ? 1 : 0))
                retryAfter = max(retryAfter ?? 0, seconds)
            }
            if let retryAfter { return retryAfter }
            for key in keys {
                if state.windows[key] != nil {
                    state.windows[key]!.count += 1
                    continue
                }
                while state.windows.count >= Self.maximumKeys, let oldest = state.starts.popFirst() {
                    if state.windows[oldest.key]?.start == oldest.start { state.windows[oldest.key] = nil }
                }
                state.windows[key] = Window(start: now, count: 1)
                state.starts.append((key, now))
            }
            return nil
        }
    }

    /// How many origins and addresses are tracked (for tests).
    var trackedKeys: Int { state.withLockedValue { $0.windows.count } }

    private static func removeExpired(from state: inout State, now: ContinuousClock.Instant, window: Duration) {
        while let oldest = state.starts.first, now - oldest.start >= window {
            state.starts.removeFirst()
            if state.windows[oldest.key]?.start == oldest.start { state.windows[oldest.key] = nil }
        }
    }
}
#endif
