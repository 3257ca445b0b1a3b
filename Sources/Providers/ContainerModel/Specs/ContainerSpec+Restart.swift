import OCCore

extension ContainerSpec {
    /// Containers can be restarted in place (`restartOn`), by either runtime.
    package static var restartable: Bool { true }

    /// Whether the container of `change` (a no-op or an in-place update) must be restarted to read what changed.
    ///
    /// It must when it is to keep running and already runs (or is paused). A container that is stopped, or
    /// that the update starts from stopped, reads the new files when it starts.
    ///
    /// - Parameter change: the consumer's change, with `state` in both trees.
    /// - Returns: whether the runtime's restart must run.
    package static func needsRestart(_ change: Change) -> Bool {
        let key = "state"
        guard change.action == .noop || change.action == .update,
            change.after?[key].stringValue == State.running.rawValue
        else { return false }
        return ["running", "paused"].contains(change.before?[key].stringValue ?? "")
    }
}
