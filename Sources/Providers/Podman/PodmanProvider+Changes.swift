import Foundation
import OCContainerModel
import OCCore

/// One command of a change, with the failures that still count as success (idempotency).
struct PodmanStep: Sendable {
    /// Outcomes other than exit 0 that mean "already done".
    enum Tolerance: Sendable, Equatable {
        /// Only exit 0 succeeds.
        case none
        /// The object is already gone (`rm` of a missing network, volume or image).
        case missing
        /// `network connect` to a network the container is already on.
        case alreadyConnected
        /// `network disconnect` from a network the container is not on.
        case notConnected

        /// The tolerance as data.
        var acceptance: Acceptance {
            switch self {
            case .none: return .success
            case .missing:
                return Acceptance("already gone is fine", exitStatuses: [1], markers: PodmanProvider.missingMarkers)
            case .alreadyConnected: return Acceptance("already connected is fine", markers: ["already connected"])
            case .notConnected: return Acceptance("not connected is fine", markers: ["not connected"])
            }
        }
    }

    /// The command.
    var command: Command
    /// What else counts as success.
    var tolerance: Tolerance = .none
    /// For `podman create` with `NAME:host-gateway` entries: the network whose gateway stands in for the
    /// keyword when Podman (before 5.3) rejects it, and the command rebuilt with that address.
    var hostGateway: (network: String, command: @Sendable (String) -> Command)?
    /// For `podman network rm`: the network, to name the containers that keep it in use.
    var network: String?
}

extension PodmanProvider {
    /// Before a container is replaced, its image must be on the host (`podman image exists -- IMAGE`), so that a
    /// replace whose new image is missing leaves the old container running.
    ///
    /// A registry image that is missing is pulled first, as `podman run` would; a `localhost/` image cannot be
    /// pulled. An image an `images` resource of the plan builds, imports or pulls is in place by then: the destroy
    /// of a replace waits for its new dependencies. A create is not checked: `podman run` pulls or fails by itself,
    /// and nothing is running yet that a failure could take away.
    package func preconditions(for change: Change, context: ChangeContext) throws -> [Precondition] {
        guard change.address.section == ContainerSpec.section, change.action == .replace,
            let image = change.after?[PodmanTree.Container.image].stringValue
        else { return [] }
        let local = ImageName.qualified(image).hasPrefix("localhost/")
        let kept = "the running container is left in place"
        return [
            Precondition(
                PodmanCommands.imageExists(image), remedy: local ? nil : PodmanCommands.pull(image),
                unmet: "image \(image) does not exist on host \(context.host.name)"
                    + (local ? "" : " and could not be pulled") + "; \(kept)")
        ]
    }

    /// The steps of `change`, in order: commands with their idempotency rules (``program(for:context:)`` turns
    /// them into the program the engine runs).
    ///
    /// Containers: create is `podman run --detach` (`podman create` for `state: stopped`); an update runs
    /// `network disconnect`/`connect` and `start`/`stop`/`unpause`; replace and delete start with
    /// `podman rm --force --ignore`. Networks and volumes are created with the ownership labels; a network
    /// replace removes it first. Images are pulled, built or imported; only images the stack pulled, built or
    /// imported are removed.
    ///
    /// - Throws: an ``OCError`` for a change Podman cannot make safely: replacing a volume, or deleting one
    ///   without `deleteData: true` in a destroy plan.
    func steps(for change: Change, context: ChangeContext) throws -> [PodmanStep] {
        guard change.action != .noop else { return [] }
        switch change.address.section {
        case NetworkSpec.section: return try networkSteps(change, context: context)
        case VolumeSpec.section: return try volumeSteps(change, context: context)
        case ImageSpec.section: return try imageSteps(change, context: context)
        case ContainerSpec.section: return try containerSteps(change, context: context)
        default: throw OCError(.internalError, "\(change.address) is not a Podman resource")
        }
    }

    // MARK: - Networks

    private func networkSteps(_ change: Change, context: ChangeContext) throws -> [PodmanStep] {
        let name = change.address.name
        let remove = PodmanStep(command: PodmanCommands.removeNetwork(name), tolerance: .missing, network: name)
        switch change.action {
        case .delete: return [remove]
        case .update, .noop: return []
        case .create, .replace:
            let after = try desired(change)
            let create = PodmanStep(
                command: PodmanCommands.createNetwork(
                    name, tree: after,
                    marks: PodmanLabels.marks(
                        stack: context.stack, address: change.address, hash: PodmanLabels.hash(after))
                ))
            if change.action == .create { return change.before == nil ? [create] : [] }
            return [remove, create]
        }
    }

    // MARK: - Volumes

    private func volumeSteps(_ change: Change, context: ChangeContext) throws -> [PodmanStep] {
        let name = change.address.name
        switch change.action {
        case .update, .noop: return []
        case .create:
            // An adopted volume (found before creation) is taken over as it is.
            guard change.before == nil else { return [] }
            let after = try desired(change)
            var hashed = after
            hashed[PodmanTree.Volume.deleteData] = .null
            return [
                PodmanStep(
                    command: PodmanCommands.createVolume(
                        name, tree: after,
                        marks: PodmanLabels.marks(
                            stack: context.stack, address: change.address, hash: PodmanLabels.hash(hashed))))
            ]
        case .replace:
            throw OCError(.unsupported, refusal(of: change, context: context) ?? "\(change.address) cannot be replaced")
        case .delete:
            guard Self.deletesData(change) else {
                // Reviewed as kept: nothing runs, and the stack forgets it.
                if change.forgets { return [] }
                throw OCError(
                    .unsupported,
                    "\(change.address) is kept: ocplan deletes a volume (and its data) only in a destroy plan "
                        + "(ocplan --destroy) once deleteData: true has been applied. Set deleteData: true, apply, then "
                        + "run ocplan --destroy --target \(change.address); or remove it by hand with podman volume rm "
                        + "\(name).")
            }
            return [PodmanStep(command: PodmanCommands.removeVolume(name), tolerance: .missing)]
        }
    }

    // MARK: - Images

    private func imageSteps(_ change: Change, context: ChangeContext) throws -> [PodmanStep] {
        typealias Key = PodmanTree.Image
        let created = context.privateState?[PrivateState.created].boolValue == true
        let remove = change.before?[Key.reference].stringValue.map {
            PodmanStep(command: PodmanCommands.removeImage($0), tolerance: .missing)
        }
        switch change.action {
        case .noop: return []
        case .delete: return created ? [remove].compactMap { $0 } : []
        case .update:
            let after = try desired(change)
            let wantsPull = after[Key.current] == true && change.before?[Key.current] == false
            guard wantsPull, let reference = after[Key.reference].stringValue else { return [] }
            return [PodmanStep(command: PodmanCommands.pull(reference))]
        case .create, .replace:
            let after = try desired(change)
            let removeFirst = change.action == .replace && created ? [remove].compactMap { $0 } : []
            return removeFirst + Self.imageSources(after).map { PodmanStep(command: $0) }
        }
    }

    /// The command that makes the image exist: build, import or pull (none for `pull: never`).
    static func imageSources(_ tree: Value) -> [Command] {
        typealias Key = PodmanTree.Image
        switch tree[Key.source].stringValue {
        case "build": return [PodmanCommands.build(tree)]
        case "import": return [PodmanCommands.importImage(tree)]
        default:
            guard tree[Key.pull].stringValue != ImageSpec.PullPolicy.never.rawValue,
                let reference = tree[Key.reference].stringValue
            else { return [] }
            return [PodmanCommands.pull(reference)]
        }
    }

    // MARK: - Containers

    private func containerSteps(_ change: Change, context: ChangeContext) throws -> [PodmanStep] {
        let name = change.address.name
        // The running container stops as it was created to: its own stopTimeout.
        let remove = PodmanStep(
            command: PodmanCommands.removeContainer(name, seconds: PodmanCommands.stopSeconds(change.before)))
        switch change.action {
        case .noop: return []
        case .delete: return [remove]
        case .update: return try containerUpdate(change)
        case .create, .replace:
            let after = try desired(change)
            let marks = PodmanLabels.marks(
                stack: context.stack, address: change.address, hash: PodmanDesiredState.containerHash(after))
            let start = after[PodmanTree.Container.state].stringValue != ContainerSpec.State.stopped.rawValue
            var create = PodmanStep(
                command: PodmanCommands.createContainer(name, tree: after, marks: marks, start: start))
            let usesGateway = PodmanCommands.strings(after[PodmanTree.Container.addHosts]).contains {
                $0.hasSuffix(":" + HostGateway.keyword)
            }
            if usesGateway, let first = PodmanCommands.networkOrder(after).first {
                create.hostGateway = (
                    first,
                    {
                        PodmanCommands.createContainer(name, tree: after, marks: marks, hostGateway: $0, start: start)
                    }
                )
            }
            return change.action == .replace ? [remove, create] : [create]
        }
    }

    /// The in-place steps: networks left, networks joined (or whose aliases or addresses changed), then the
    /// state.
    private func containerUpdate(_ change: Change) throws -> [PodmanStep] {
        typealias Key = PodmanTree.Container
        let name = change.address.name
        let after = try desired(change)
        let before = change.before ?? .null
        let wanted = (after[Key.networks].mapValue ?? [:]).filter { !$0.value.isNull }
        let current = (before[Key.networks].mapValue ?? [:]).filter { !$0.value.isNull }
        var steps: [PodmanStep] = []
        for network in current.keys.sorted() where wanted[network] != current[network] {
            steps.append(
                PodmanStep(
                    command: PodmanCommands.disconnect(network: network, container: name), tolerance: .notConnected))
        }
        for network in PodmanCommands.networkOrder(after) where wanted[network] != current[network] {
            steps.append(
                PodmanStep(
                    command: PodmanCommands.connect(
                        network: network, container: name, attachment: wanted[network] ?? .null),
                    tolerance: .alreadyConnected))
        }
        let state = after[Key.state].stringValue
        let was = before[Key.state].stringValue
        if state != was {
            switch (was, state) {
            case ("paused", "running"): steps.append(PodmanStep(command: PodmanCommands.unpause(name)))
            case (_, "running"): steps.append(PodmanStep(command: PodmanCommands.start(name)))
            default:
                steps.append(
                    PodmanStep(command: PodmanCommands.stop(name, seconds: PodmanCommands.stopSeconds(before))))
            }
        }
        return steps
    }

    // MARK: - Helpers

    /// Keys of the private state kept in the journal.
    enum PrivateState {
        /// Whether the stack pulled, built or imported the image (only then does a delete remove it).
        static let created = "created"
    }

    private func desired(_ change: Change) throws -> Value {
        guard let after = change.after else {
            throw OCError(.internalError, "\(change.address) has no desired state for a \(change.action.rawValue)")
        }
        return after
    }
}
