import Testing

@testable import CORSProxy

/// The proxy's rate limiter, on a clock the test moves: budgets per origin and per address, and a
/// bounded, constant-cost table whatever the keys.
@Suite struct RateLimiterTests {
    static let start = ContinuousClock.now

    @Test func anOriginAndAnAddressEachHaveABudget() {
        let limiter = RateLimiter(RateLimit(requests: 2, per: .seconds(60)))
        #expect(limiter.acquire(origin: "https://a.test", clientAddress: "10.0.0.1", now: Self.start) == nil)
        #expect(limiter.acquire(origin: "https://a.test", clientAddress: "10.0.0.2", now: Self.start) == nil)
        // a.test has used its budget, from whatever address.
        #expect(limiter.acquire(origin: "https://a.test", clientAddress: "10.0.0.3", now: Self.start) == 60)
        // Another origin from a fresh address has its own budget.
        #expect(limiter.acquire(origin: "https://b.test", clientAddress: "10.0.0.3", now: Self.start) == nil)
        // Rotating the Origin from one address gains nothing once the address's budget is used.
        #expect(limiter.acquire(origin: "https://c.test", clientAddress: "10.0.0.3", now: Self.start) == nil)
        #expect(limiter.acquire(origin: "https://d.test", clientAddress: "10.0.0.3", now: Self.start) == 60)
        // Refused requests count against nothing; the window resets after it ends.
        let later = Self.start + .seconds(60)
        #expect(limiter.acquire(origin: "https://a.test", clientAddress: "10.0.0.3", now: later) == nil)
    }

    @Test func retryAfterCountsWholeSecondsLeft() {
        let limiter = RateLimiter(RateLimit(requests: 1, per: .seconds(60)))
        #expect(limiter.acquire(origin: "https://a.test", clientAddress: nil, now: Self.start) == nil)
        #expect(
            limiter.acquire(origin: "https://a.test", clientAddress: nil, now: Self.start + .milliseconds(59_500)) == 1)
        #expect(limiter.acquire(origin: "https://a.test", clientAddress: nil, now: Self.start + .seconds(20)) == 40)
    }

    @Test func theTableIsBoundedWhateverTheKeys() {
        let limiter = RateLimiter(RateLimit(requests: 3, per: .seconds(3600)))
        let huge = String(repeating: "x", count: 30_000)
        for index in 0..<(RateLimiter.maximumKeys * 2) {
            _ = limiter.acquire(origin: "https://\(index).\(huge)", clientAddress: nil, now: Self.start)
        }
        #expect(limiter.trackedKeys <= RateLimiter.maximumKeys)
        // Origins cut to the longest valid length share a key: they share a budget.
        for _ in 0..<3 {
            #expect(limiter.acquire(origin: "https://z." + huge + "1", clientAddress: nil, now: Self.start) == nil)
        }
        #expect(limiter.acquire(origin: "https://z." + huge + "2", clientAddress: nil, now: Self.start) != nil)
    }

    @Test func expiredWindowsLeaveInTheOrderTheyStarted() {
        let limiter = RateLimiter(RateLimit(requests: 1, per: .seconds(1)))
        for index in 0..<1_000 {
            _ = limiter.acquire(origin: "https://\(index).test", clientAddress: nil, now: Self.start)
        }
        #expect(limiter.trackedKeys == 1_000)
        _ = limiter.acquire(origin: "https://new.test", clientAddress: nil, now: Self.start + .seconds(2))
        #expect(limiter.trackedKeys == 1)
    }
}
