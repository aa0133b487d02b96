public import Logging

extension CORSRejection {
    /// Logs this refusal at debug level, the same way in every adapter: `CORS refused` with
    /// `cors.reason` (the ``Reason`` raw value) and `cors.detail` (the request's bytes escaped).
    public func log(to logger: Logger) {
        logger.debug("CORS refused", metadata: ["cors.reason": "\(reason.rawValue)", "cors.detail": "\(self)"])
    }
}

extension CORSDecision {
    /// Logs why the policy refused this request (``CORSRejection/log(to:)``); nothing when it was
    /// allowed or not CORS.
    public func logRejection(to logger: Logger) {
        rejection?.log(to: logger)
    }
}
