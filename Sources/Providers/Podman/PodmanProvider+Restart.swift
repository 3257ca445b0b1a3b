import OCContainerModel
import OCCore

extension PodmanProvider {
    /// `podman restart --time STOP_TIMEOUT -- NAME` for a running container (`restartOn`).
    ///
    /// Nothing for a stopped one or one the update starts (see ``ContainerSpec/needsRestart(_:)``). Only
    /// containers restart: networks, volumes and images have no restart (`nil`).
    package func restartCommands(for change: Change, context: ChangeContext) throws -> [Command]? {
        guard change.address.section == ContainerSpec.section else { return nil }
        guard ContainerSpec.needsRestart(change) else { return [] }
        return [
            PodmanCommands.restart(
                change.address.name, seconds: PodmanCommands.stopSeconds(change.before ?? change.after))
        ]
    }
}
