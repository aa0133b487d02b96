/// A policy that can be replaced while requests are being served: tenants added, an origin
/// revoked, a policy file edited, without restarting the server.
///
/// Give it to an adapter instead of a `CORSPolicy` (`CORSHummingbirdMiddleware(holder)`,
/// `CORSVaporMiddleware(holder)`, `CORSNIOChannelHandler(holder)`, the WebSocket guards, the
/// gateway); each request reads the policy once, when it arrives, so a replacement applies to the
/// requests that arrive after it, atomically, and a request already in flight finishes under the
/// policy it started with (a preflight and its response never mix two policies).
///
/// ```swift
/// let holder = CORSPolicyHolder(try CORSPolicy(CORSConfiguration(origins: ["https://a.example"])))
/// router.add(middleware: CORSHummingbirdMiddleware(holder))
/// // later, on any thread:
/// try holder.reconfigure(CORSConfiguration(origins: ["https://a.example", "https://b.example"]))
/// ```
/// An invalid configuration throws and changes nothing: the policy in force stays (jub0bs/cors's
/// `Reconfigure` behaves the same way).
public final class CORSPolicyHolder: Sendable {
    private let lock = PolicyLock()
    // Guarded by `lock`; replaced whole, never mutated.
    nonisolated(unsafe) private var box: PolicyBox
    nonisolated(unsafe) private var replacements = 0

    /// Holds `policy` until it is replaced.
    public init(_ policy: CORSPolicy) {
        box = PolicyBox(policy)
    }

    /// Validates `configuration` and holds the policy built from it.
    ///
    /// - Throws: ``CORSConfigurationError`` naming every problem.
    public convenience init(_ configuration: CORSConfiguration) throws(CORSConfigurationError) {
        self.init(try CORSPolicy(configuration))
    }

    /// The policy in force now: the one a request arriving now is decided by.
    public var current: CORSPolicy { currentBox().policy }

    /// How many times the policy was replaced since this holder was made (0 at first): a version
    /// number for logs.
    public var generation: Int { lock.withLock { replacements } }

    /// Puts `policy` in force for every request that arrives from now on.
    ///
    /// - Returns: the new ``generation``.
    @discardableResult
    public func replace(with policy: CORSPolicy) -> Int {
        let replacement = PolicyBox(policy)
        // The old box is released outside the lock: its last release may free a large policy.
        let (old, generation) = lock.withLock {
            let old = box
            box = replacement
            replacements += 1
            return (old, replacements)
        }
        _ = old
        return generation
    }

    /// Validates `configuration` and, when it is valid, puts the policy built from it in force.
    ///
    /// - Returns: the policy now in force (its ``CORSPolicy/warnings`` are the new settings' risks).
    /// - Throws: ``CORSConfigurationError`` naming every problem; the policy in force is unchanged.
    @discardableResult
    public func reconfigure(_ configuration: CORSConfiguration) throws(CORSConfigurationError) -> CORSPolicy {
        let policy = try CORSPolicy(configuration)
        replace(with: policy)
        return policy
    }

    /// The box in force, retained: adapters decide through `box.policy` without copying the policy.
    package func currentBox() -> PolicyBox {
        lock.withLock { box }
    }
}

/// One policy behind a reference: reading it out of a ``CORSPolicyHolder`` costs one retain, not
/// a copy of every field of the policy and its configuration.
package final class PolicyBox: Sendable {
    package let policy: CORSPolicy

    package init(_ policy: CORSPolicy) {
        self.policy = policy
    }
}

/// Where an adapter reads its policy: one fixed when it was made, or whatever a
/// ``CORSPolicyHolder`` holds when a request arrives.
package enum PolicyReference: Sendable {
    case fixed(PolicyBox)
    case live(CORSPolicyHolder)

    package init(_ policy: CORSPolicy) {
        self = .fixed(PolicyBox(policy))
    }

    package init(_ holder: CORSPolicyHolder) {
        self = .live(holder)
    }

    /// The policy a request arriving now is decided by; read it once per request.
    @inline(__always)
    package var box: PolicyBox {
        switch self {
        case .fixed(let box): box
        case .live(let holder): holder.currentBox()
        }
    }

    /// The holder, when the policy can change.
    package var holder: CORSPolicyHolder? {
        if case .live(let holder) = self { holder } else { nil }
    }
}
