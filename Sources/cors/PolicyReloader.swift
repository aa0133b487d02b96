import CORS
import Configuration
import Foundation
import Logging
import ServiceLifecycle
import SystemPackage
import UnixSignals

/// `cors serve --policy FILE`: puts each valid new version of the file in force, on SIGHUP and
/// when the file changes.
///
/// Change detection is swift-configuration's `ReloadingFileProvider` (the file's modification time
/// and real path, so a rename into place and a Kubernetes ConfigMap's symlink swap count too),
/// checked every `pollInterval`. SIGHUP re-reads the file whatever its metadata says, as nginx
/// does: an edit within one timestamp tick, or a copy that kept the old time, is still picked up.
/// A new version is built in full before it replaces the old one; a request reads the policy once
/// when it arrives, so requests in flight finish under the policy they started with. A version
/// with problems is logged, problem by problem, and the policy in force stays.
@available(macOS 15, *)
struct PolicyReloader: Service {
    enum Trigger: String, Sendable {
        case poll, sighup
    }

    let path: String
    let holder: CORSPolicyHolder
    let pollInterval: Duration
    let logger: Logger
    /// The file's digest when the policy in force was read at startup.
    let startupDigest: PolicyDigest

    func run() async throws {
        // Trapped before the line below is logged: a SIGHUP sent after it is never lost.
        let signals = await UnixSignalsSequence(trapping: .sighup)
        let (triggers, continuation) = AsyncStream<Trigger>.makeStream(bufferingPolicy: .bufferingNewest(4))
        logger.info(
            "watching \(path) for changes (checked every \(pollInterval.seconds) s; SIGHUP re-reads it now)")
        var state = State(path: path, holder: holder, logger: logger, inForce: startupDigest)
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in signals { continuation.yield(.sighup) }
            }
            group.addTask { [pollInterval] in
                while (try? await Task.sleep(for: pollInterval)) != nil { continuation.yield(.poll) }
            }
            var provider = await makeProvider(state: &state)
            for await trigger in triggers.cancelOnGracefulShutdown() {
                switch trigger {
                case .sighup:
                    state.reread()
                case .poll:
                    if provider == nil { provider = await makeProvider(state: &state) }
                    if let provider { await state.check(provider) }
                }
            }
            group.cancelAll()
        }
    }

    private func makeProvider(state: inout State) async -> ReloadingFileProvider<PolicyFileSnapshot>? {
        var providerLogger = logger
        // The provider's own log is debug chatter; its failures reach `State.check` as errors.
        providerLogger.logLevel = max(logger.logLevel, .info)
        do {
            let provider = try await ReloadingFileProvider<PolicyFileSnapshot>(
                parsingOptions: .init(path: path), filePath: FilePath(path), pollInterval: pollInterval,
                logger: providerLogger)
            state.consider(provider.snapshot(), trigger: .poll)
            return provider
        } catch {
            state.unreadable(error)
            return nil
        }
    }

    /// What the reloader knows between triggers.
    struct State {
        let path: String
        let holder: CORSPolicyHolder
        let logger: Logger
        /// The file version whose policy is in force.
        var inForce: PolicyDigest
        /// The version the provider last reported: only a change of it is news.
        var providerVersion: PolicyDigest?
        /// The last version refused, and the last read error: each is logged once, not at every poll.
        var lastRefused: PolicyDigest?
        var lastError: String?

        init(path: String, holder: CORSPolicyHolder, logger: Logger, inForce: PolicyDigest) {
            self.path = path
            self.holder = holder
            self.logger = logger
            self.inForce = inForce
        }

        mutating func check(_ provider: ReloadingFileProvider<PolicyFileSnapshot>) async {
            do {
                // Asking for a value makes the provider compare the file's metadata and re-read it
                // if it changed; its errors come back here instead of being logged at debug level.
                _ = try await provider.fetchValue(forKey: ["policy"], type: .string)
                lastError = nil
                consider(provider.snapshot(), trigger: .poll)
            } catch {
                unreadable(error)
            }
        }

        /// SIGHUP: reads the file itself, whatever its modification time says.
        mutating func reread() {
            guard let data = FileManager.default.contents(atPath: path) else {
                unreadable("cannot read it (missing, a directory, or no permission)")
                return
            }
            lastError = nil
            consider(PolicyFileSnapshot(bytes: Array(data), path: path), trigger: .sighup)
        }

        mutating func consider(_ snapshot: any ConfigSnapshot, trigger: Trigger) {
            guard let snapshot = snapshot as? PolicyFileSnapshot else { return }
            if trigger == .poll {
                guard snapshot.digest != providerVersion else { return }
                providerVersion = snapshot.digest
            }
            guard snapshot.digest != inForce else {
                if trigger == .sighup {
                    logger.notice("policy unchanged: \(path), version \(holder.generation + 1) (\(inForce))")
                }
                return
            }
            switch snapshot.outcome {
            case .success(let policy):
                let generation = holder.replace(with: policy)
                inForce = snapshot.digest
                lastRefused = nil
                logger.notice("policy in force: \(path), version \(generation + 1) (\(snapshot.digest)), reloaded")
                for warning in policy.warnings { logger.warning("\(path): \(warning)") }
            case .failure(let failure):
                guard snapshot.digest != lastRefused || trigger == .sighup else { return }
                lastRefused = snapshot.digest
                logger.error(
                    "\(path) changed (\(snapshot.digest)) but is not a valid policy: keeping version \(holder.generation + 1) (\(inForce)); \(failure.problems.count) problem(s):"
                )
                for problem in failure.problems { logger.error("  \(problem)") }
            }
        }

        mutating func unreadable(_ error: any Error) {
            unreadable("\(error)")
        }

        mutating func unreadable(_ reason: String) {
            guard reason != lastError else { return }
            lastError = reason
            logger.error(
                "cannot reload \(path): \(reason); keeping version \(holder.generation + 1) (\(inForce))")
        }
    }
}

extension Duration {
    /// Whole and fractional seconds, for a log line.
    fileprivate var seconds: String {
        let (whole, attoseconds) = components
        guard attoseconds != 0 else { return String(whole) }
        return String(Double(whole) + Double(attoseconds) / 1e18)
    }
}
