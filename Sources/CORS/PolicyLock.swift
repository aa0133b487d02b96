#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Android)
import Android
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutual-exclusion lock around a `pthread_mutex_t`.
///
/// The engine depends on nothing but swift-http-types and swift-log, and the package supports
/// macOS 14, where `Synchronization.Mutex` is not available: so a mutex of our own, held only for
/// the copy of one reference.
final class PolicyLock: @unchecked Sendable {
    // Heap-allocated: a pthread mutex must not move in memory once initialised.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<Value>(_ body: () throws -> Value) rethrows -> Value {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
