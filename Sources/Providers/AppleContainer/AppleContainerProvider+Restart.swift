import OCContainerModel
import OCCore

extension AppleContainerProvider {
    /// `container stop NAME`, then `container start NAME`, for a running container (`restartOn`).
    ///
    /// The CLI has no `restart`; stop and start keep the container (its id is its name). Nothing for a stopped
    /// one or one the update starts (see ``ContainerSpec/needsRestart(_:)``); networks have no restart (`nil`).
    package func restartCommands(for change: Change, context: ChangeContext) throws -> [Command]? {
        guard change.address.section == ContainerSpec.section else { return nil }
        let name = change.address.name
        guard ContainerSpec.needsRestart(change) else { return [] }
        return [AppleContainerCommands.stop(name), AppleContainerCommands.start(name)]
    }
}
