import Foundation
import OCContainerModel
import OCCore

extension PodmanProvider {
    /// The program of `change`: its commands with their "already done" outcomes as data, then a re-observation
    /// (a delete is not observed again).
    ///
    /// `podman create` with a `NAME:host-gateway` entry falls back, on Podman before 5.3 (which rejects the
    /// keyword), to the gateway of the container's first network: the address Podman 4 itself gives
    /// `host.containers.internal`, read with `podman network inspect`. Removing a network that containers outside
    /// the plan still use fails naming them.
    ///
    /// - Throws: an ``OCError`` for a change Podman cannot make safely (see ``steps(for:context:)``), or an image
    ///   that must not be pulled and is missing.
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        if let refusal = refusal(of: change, context: context) { throw OCError(.unsupported, refusal) }
        let steps = try steps(for: change, context: context)
        var privateState = change.privateState
        if change.address.section == ImageSpec.section {
            let made = steps.contains { ["pull", "build", "import"].contains($0.command.argv.dropFirst().first ?? "") }
            if made || privateState?[PrivateState.created].boolValue == true {
                privateState = [PrivateState.created: true]
            }
        }
        let program = steps.map { Step.run($0.run(host: context.host.name)) }
        return StepProgram(program + (change.action == .delete ? [] : [.reobserve]), privateState: privateState)
    }

    /// What the plan says before anything runs.
    ///
    /// - a delete of an image the stack did not pull, build or import leaves it in place (forgotten: the stack only
    ///   stops managing it);
    /// - a delete of a volume whose applied spec does not say `deleteData: true` keeps it and its data (forgotten);
    /// - a change Podman cannot make is refused (``refusal(of:context:)``).
    package func review(_ change: Change, context: ChangeContext) -> Review {
        if let refusal = refusal(of: change, context: context) { return Review(refusals: [refusal]) }
        guard change.action == .delete else { return .none }
        switch change.address.section {
        case ImageSpec.section where context.privateState?[PrivateState.created].boolValue != true:
            return Review(reason: .notCreatedByStack)
        case VolumeSpec.section where !Self.deletesData(change):
            return Review(
                notes: [
                    "to delete it with its data: set deleteData: true, apply, then destroy again; or remove it by hand "
                        + "(podman volume rm \(change.address.name))"
                ], reason: .kept("deleteData: true is not applied"))
        default:
            return .none
        }
    }

    /// Whether a volume delete may remove the volume and its data: the applied spec says `deleteData: true`.
    static func deletesData(_ change: Change) -> Bool {
        change.before?[PodmanTree.Volume.deleteData].boolValue == true
    }

    /// Why Podman cannot make `change`, or `nil` when it can.
    ///
    /// A volume replace (it would delete the data), or an image that must not be pulled (`pull: never`) and is not
    /// on the host. Refused at plan time by ``review(_:context:)``, and by ``program(for:context:)`` for a plan that
    /// was not reviewed.
    func refusal(of change: Change, context: ChangeContext) -> String? {
        switch (change.address.section, change.action) {
        case (VolumeSpec.section, .replace):
            let paths = change.replaceReasons.map(\.description).joined(separator: ", ")
            return "\(change.address) would have to be replaced (\(paths.isEmpty ? "it" : paths) cannot change), which "
                + "deletes its data: ocplan never replaces a volume. Revert the change, or delete the volume first: set "
                + "deleteData: true, apply, and run ocplan --destroy --target \(change.address), or remove it by hand "
                + "(podman volume rm \(change.address.name))."
        case (ImageSpec.section, .create), (ImageSpec.section, .replace):
            // Unknown while Podman is missing or the host is not reachable yet: nothing to refuse then.
            guard let after = change.after, Self.imageSources(after).isEmpty,
                !["tool-missing", "unreachable"].contains(change.fingerprint)
            else { return nil }
            let reference = after[PodmanTree.Image.reference].stringValue ?? change.address.name
            let missing =
                change.before == nil
                ? "is not present on \(context.host.name)"
                : "would have to be made again on \(context.host.name) ("
                    + change.replaceReasons.map(\.description).joined(separator: ", ") + " differ)"
            return "image \(reference) \(missing), and pull: never forbids pulling it: build or load it there first "
                + "(podman build -t \(reference) …, podman load -i …, podman import FILE \(reference)), or set "
                + "pull: missing"
        default:
            return nil
        }
    }

    /// `pull: always` is never current for a plan; right after the pull it is.
    package func settle(_ response: ApplyResponse, for change: Change, context: ChangeContext) throws -> ApplyResponse {
        guard change.address.section == ImageSpec.section, response.observed != nil else { return response }
        var settled = response
        settled.observed?[PodmanTree.Image.current] = true
        return settled
    }
}

extension PodmanStep {
    /// The name under which the host-gateway fallback passes the gateway to the rebuilt `podman create`.
    static let gateway = "GATEWAY"
    /// The name under which an in-use network's containers reach the error.
    static let users = "USERS"

    /// The step as the engine runs it: the tolerance as an ``Acceptance``, the host-gateway retry and the in-use
    /// network's explanation as ``Fallback``s.
    func run(host: String) -> RunStep {
        var step = RunStep(command, accepts: tolerance.acceptance)
        if let fallback = hostGateway {
            var retry = fallback.command(Command.reference(Self.gateway))
            for (index, word) in retry.argv.enumerated() where word.contains(Command.reference(Self.gateway)) {
                retry.uses[index] = Self.gateway
            }
            step.otherwise = Fallback(
                on: HostGateway.unsupportedMessage,
                meaning: "create it again with the IPv4 gateway of network \(fallback.network) for host-gateway",
                steps: [
                    .capture(
                        CaptureStep(
                            PodmanCommands.inspectNetworks([fallback.network]), name: Self.gateway,
                            parser: NetworkGateway(network: fallback.network), keep: false)),
                    .run(retry),
                ])
        } else if let network {
            step.otherwise = Fallback(
                on: "network is being used", meaning: "name the containers that still use it",
                steps: [
                    .capture(
                        CaptureStep(
                            PodmanCommands.containers(using: network), name: Self.users, parser: ContainerNames(),
                            keep: false)),
                    .fail(
                        "network \(network) on \(host) is still used by " + Command.reference(Self.users)
                            + ": ocplan removes only containers it manages. Remove them or disconnect them "
                            + "(podman network disconnect \(network) NAME), then apply again"),
                ])
        }
        return step
    }
}

/// The IPv4 gateway of a network in `podman network inspect` (what Podman 4 writes for `host.containers.internal`).
struct NetworkGateway: OutputParser {
    var network: String

    func value(in result: CommandResult) -> String? {
        let found = try? PodmanJSON.decodeArray(PodmanJSON.Network.self, from: result.stdout)
        return found?.first?.subnets?.first { $0.subnet.flatMap(Formats.CIDRBlock.init)?.isIPv4 == true }?.gateway
    }

    var description: String {
        "the IPv4 gateway of network \(network), which stands in for host-gateway (Podman before 5.3 does not resolve "
            + "it itself)"
    }
}

/// The names of the containers in `podman ps --format json`: `container(s) a, b`, or `containers` when it lists none.
struct ContainerNames: OutputParser {
    func value(in result: CommandResult) -> String? {
        let entries = (try? PodmanJSON.decodeArray(PodmanJSON.ContainerListEntry.self, from: result.stdout)) ?? []
        let names = entries.compactMap { $0.names?.first }.sorted()
        return names.isEmpty ? "containers" : "container(s) " + names.joined(separator: ", ")
    }

    var description: String { "the names of the containers on the network" }
}
