import NIOConcurrencyHelpers

/// How many requests one origin may make per window (`--rate-limit 60/min`).
public struct RateLimit: Sendable, Equatable {
    public var requests: Int
    public var window: Duration

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

/// A fixed-window counter per key (the request's origin); memory is bounded by pruning expired
/// windows once many keys are tracked.
final class RateLimiter: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    let limit: RateLimit
    private let windows = NIOLockedValueBox<[String: Window]>([:])

    init(_ limit: RateLimit) {
        self.limit = limit
    }

    /// Counts one request; returns nil when allowed, else the whole seconds until the window resets.
    func acquire(_ key: String, now: ContinuousClock.Instant = .now) -> Int? {
        windows.withLockedValue { windows in
            if windows.count > 10_000 {
                windows = windows.filter { now - $0.value.start < limit.window }
            }
            var window = windows[key] ?? Window(start: now, count: 0)
            if now - window.start >= limit.window { window = Window(start: now, count: 0) }
            guard window.count < limit.requests else {
                let remaining = limit.window - (now - window.start)
                return max(1, Int(remaining.components.seconds) + (remaining.components.attoseconds > 0 ? 1 : 0))
            }
            window.count += 1
            windows[key] = window
            return nil
        }
    }
}
