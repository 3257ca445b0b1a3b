import Foundation
import OCContainerModel
import OCCore

/// Runs `networks` and `containers` with `runtime: apple` through Apple's `container` CLI (macOS 26).
///
/// Apple's objects are immutable: every attribute but a container's `state` forces a replace (there is no
/// `container update` and no network connect/disconnect), and a container is replaced with the network it
/// joins. Everything the provider creates carries the labels `io.ocplan.stack`, `io.ocplan.address` and
/// `io.ocplan.spec-hash`; an object with the same name but without this stack's labels is reported as
/// foreign and never touched.
///
/// Observation costs three commands per host, whatever the number of resources: `container system status`,
/// then `container network list --format json` and `container list --all --format json` in parallel. When the
/// service is not running, the response carries an error diagnostic that says how to start it.
///
/// The CLI cannot report some attributes as written (the entrypoint and command are merged with the image's,
/// env files are read when the container is created, and 0.x releases lack `readOnly` and capabilities). Those
/// are taken from the tree whose hash equals the container's `io.ocplan.spec-hash` label (the manifest's or
/// the last applied one), so a manifest change is still seen; see ``AppleContainerTree``.
package struct AppleContainerProvider: Provider {
    /// The provider's name in plans and the state journal: `apple-container`.
    package let name = "apple-container"
    /// The sections it shares with the Podman provider: `networks` and `containers`.
    package let sections = [NetworkSpec.section, ContainerSpec.section]

    /// Creates the provider.
    package init() {}

    /// Takes the networks and containers whose `runtime` is `apple`.
    package func manages(_ declaration: ResourceDeclaration) -> Bool {
        switch declaration.spec {
        case let spec as ContainerSpec: return spec.runtime == .apple
        case let spec as NetworkSpec: return spec.runtime == .apple
        default: return false
        }
    }

    /// Everything but a container's `state` forces a replace; containers are replaced with their networks.
    package func schema(for section: String) -> ResourceSchema {
        if section == ContainerSpec.section {
            typealias Key = AppleContainerTree.ContainerKey
            return ResourceSchema(
                replaceOn: Key.all.filter { $0 != Key.state }.map { PathPattern($0) },
                replacedWith: [NetworkSpec.section])
        }
        return ResourceSchema(replaceOn: AppleContainerTree.NetworkKey.all.map { PathPattern($0) })
    }

    /// The `container` CLI, from Apple's signed installer package.
    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] {
        [
            Prerequisite(
                tool: AppleContainerCommands.program, host: host.name,
                install: "download the signed installer package from github.com/apple/container releases; "
                    + "macOS 26 on Apple silicon")
        ]
    }

    /// The tree of the declaration's network or container (see `desiredTree(of:)`).
    ///
    /// - Throws: an ``OCError`` when the declaration is neither a network nor a container.
    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        switch declaration.spec {
        case let spec as NetworkSpec: return Self.desiredTree(of: spec)
        case let spec as ContainerSpec: return Self.desiredTree(of: spec, resolve: { declaration.resolvePath($0) })
        default:
            throw OCError(.internalError, "\(declaration.address) is not a network or container (\(name) provider)")
        }
    }

    // MARK: - Observe

    /// Reads every network and container on the host with one list command each, after checking the service.
    ///
    /// - Throws: ``CommandFailure`` when a list command fails (`.toolMissing` when the CLI is not installed) or
    ///   its output has an unknown shape (`.unrecognisedOutput`), or `container system status` fails without
    ///   saying that the service is down.
    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        guard !request.targets.isEmpty else { return ObserveResponse() }
        let host = request.host
        let statusCommand = AppleContainerCommands.systemStatus()
        let status = try await request.runner.run(statusCommand)
        if AppleContainerObservation.serviceIsDown(status) {
            return ObserveResponse(diagnostics: [Self.serviceDiagnostic(status, host: host)])
        }
        // Any other failure (ssh's exit 255, a crash) says nothing about the service.
        guard status.succeeded else { throw CommandFailure.exited(statusCommand, status, host: host.name) }
        let runner = request.runner
        let networksCommand = AppleContainerCommands.listNetworks()
        let containersCommand = AppleContainerCommands.listContainers()
        async let networkList = runner.check(networksCommand, host: host.name)
        async let containerList = runner.check(containersCommand, host: host.name)
        let (networkResult, containerResult) = try await (networkList, containerList)
        let networks: [AppleContainerObservation.NetworkRecord]
        let containers: [AppleContainerObservation.ContainerRecord]
        do {
            networks = try AppleContainerObservation.networks(networkResult.stdout)
        } catch {
            throw CommandFailure.unrecognised(
                networksCommand, networkResult, host: host.name, expected: "a JSON array of networks")
        }
        do {
            containers = try AppleContainerObservation.containers(containerResult.stdout)
        } catch {
            throw CommandFailure.unrecognised(
                containersCommand, containerResult, host: host.name, expected: "a JSON array of containers")
        }
        return Self.response(
            networks: networks, containers: containers, targets: request.targets, stack: request.stack, host: host)
    }

    /// The error shown when `container system status` says the service is down.
    static func serviceDiagnostic(_ status: CommandResult, host: OCCore.Host) -> Diagnostic {
        .error(
            "Apple's container service is not running on host '\(host.name)'",
            detail: "`container system status` says: \(AppleContainerObservation.statusText(status)). Start it with "
                + "`container system start` (`container system start --enable-kernel-install` the first time, so "
                + "that it does not prompt for a kernel), then plan again.")
    }

    // MARK: - Change

    /// The program of `change`, computed from its trees alone, observed again at the end (a delete too: what is
    /// still there after it is a failed action).
    ///
    /// | action | networks | containers |
    /// | --- | --- | --- |
    /// | create | `network create` | `run -d` (or `create` when `state: stopped`) |
    /// | update | none | `start` or `stop` (`state` is the only in-place attribute) |
    /// | replace | `network delete`, `network create` | `stop` (if running), `delete`, `run -d` |
    /// | delete | `network delete` | `stop` (if running), `delete` |
    ///
    /// A `stop` or `delete` answered with `not found` counts as done, so an interrupted apply converges when it is
    /// run again.
    ///
    /// - Throws: an ``OCError`` when a create or replace has no desired tree.
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        let steps = try commands(change, context: context).map { command -> Step in
            AppleContainerCommands.isRemoval(command) ? .run(command, accepts: Self.goneIsFine) : .run(command)
        }
        return StepProgram(steps + [.reobserve])
    }

    /// A removal answered with `not found`.
    static let goneIsFine = Acceptance("already gone is fine", markers: ["not found"])

    /// The commands of ``program(for:context:)``.
    private func commands(_ change: Change, context: ChangeContext) throws -> [Command] {
        let name = change.address.name
        let isContainer = change.address.section == ContainerSpec.section
        func create() throws -> [Command] {
            guard let after = change.after else {
                throw OCError(.internalError, "\(change.address) has no desired state to create")
            }
            let ownership = AppleContainerCommands.Ownership(stack: context.stack, address: change.address, tree: after)
            return isContainer
                ? [
                    AppleContainerCommands.createContainer(
                        name, tree: after, ownership: ownership, sensitive: change.sensitivePaths)
                ]
                : [AppleContainerCommands.createNetwork(name, tree: after, ownership: ownership)]
        }
        func remove() -> [Command] {
            guard let before = change.before else { return [] }
            guard isContainer else { return [AppleContainerCommands.deleteNetwork(name)] }
            let running = before[AppleContainerTree.ContainerKey.state].stringValue == "running"
            return (running ? [AppleContainerCommands.stop(name)] : []) + [AppleContainerCommands.delete(name)]
        }
        switch change.action {
        case .noop: return []
        case .create: return try create()
        case .delete: return remove()
        case .replace: return remove() + (try create())
        case .update:
            guard isContainer else { return [] }
            let key = AppleContainerTree.ContainerKey.state
            let wanted = change.after?[key].stringValue
            guard wanted != change.before?[key].stringValue else { return [] }
            return [wanted == "stopped" ? AppleContainerCommands.stop(name) : AppleContainerCommands.start(name)]
        }
    }
}
