import Foundation
import OCContainerModel
import OCCore

extension PodmanProvider {
    /// Runs the change's commands, tolerating "already done" outcomes, then observes the resource again.
    ///
    /// `podman create` with a `NAME:host-gateway` entry falls back, on Podman before 5.3 (which rejects the
    /// keyword), to the gateway of the container's first network: the address Podman 4 itself gives
    /// `host.containers.internal`. Removing a network that containers outside the plan still use fails with
    /// their names.
    ///
    /// - Throws: ``CommandFailure`` or ``OCError`` when a command fails for real, or an image that must not
    ///   be pulled is missing.
    public func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        let change = request.change
        let context = ChangeContext(stack: request.stack, host: request.host, privateState: change.privateState)
        let steps = try steps(for: change, context: context)
        if change.address.section == ImageSpec.section, change.action == .create || change.action == .replace,
            let after = change.after, Self.imageSources(after).isEmpty
        {
            let reference = after[PodmanTree.Image.reference].stringValue ?? change.address.name
            throw OCError(
                .notFound,
                "image \(reference) is not present on \(request.host.name), and pull: never forbids pulling it: build "
                    + "or load it there first (podman build -t \(reference) …, podman load -i …), or set "
                    + "pull: missing")
        }
        for step in steps {
            try await run(step, request: request)
        }
        guard change.action != .delete else { return ApplyResponse(observed: nil, privateState: nil) }

        var privateState = change.privateState
        if change.address.section == ImageSpec.section {
            let made = steps.contains { ["pull", "build", "import"].contains($0.command.argv.dropFirst().first ?? "") }
            if made || privateState?[PrivateState.created].boolValue == true {
                privateState = [PrivateState.created: true]
            }
        }
        var response = try await request.reobserve(self, privateState: privateState)
        if change.address.section == ImageSpec.section, response.observed != nil {
            // `pull: always` is never current for a plan; right after the pull it is.
            response.observed?[PodmanTree.Image.current] = true
        }
        return response
    }

    /// Runs one step.
    private func run(_ step: PodmanStep, request: ApplyRequest) async throws {
        let runner = request.runner
        let host = request.host.name
        let result = try await runner.run(step.command)
        if result.succeeded { return }
        let stderr = result.stderrText
        switch step.tolerance {
        case .none: break
        case .missing:
            if result.exitStatus == 1 || Self.isMissingObject(stderr) { return }
        case .alreadyConnected:
            if stderr.contains("already connected") { return }
        case .notConnected:
            if stderr.contains("not connected") { return }
        }
        if let fallback = step.hostGateway, stderr.contains(HostGateway.unsupportedMessage) {
            let gateway = try await Self.gateway(of: fallback.network, runner: runner, host: host)
            try await runner.check(fallback.command(gateway), host: host)
            return
        }
        let failure = CommandFailure(
            host: host, command: step.command, reason: .exited(result.exitStatus), result: result)
        if let network = step.network, result.exitStatus == 2 {
            let users =
                (try? await Self.decode(
                    PodmanJSON.ContainerListEntry.self, PodmanCommands.containers(using: network), runner, host)) ?? []
            let names = users.compactMap { $0.names?.first }.sorted()
            throw OCError(
                .commandFailed,
                "network \(network) on \(host) is still used by "
                    + (names.isEmpty ? "containers" : "container(s) \(names.joined(separator: ", "))")
                    + ": ocplan removes only containers it manages. Remove them or disconnect them "
                    + "(podman network disconnect \(network) NAME), then apply again",
                cause: failure)
        }
        throw failure
    }

    /// The IPv4 gateway of a network (what Podman 4 writes for `host.containers.internal`).
    static func gateway(of network: String, runner: any CommandRunner, host: String) async throws -> String {
        let found = try await inspect(PodmanJSON.Network.self, PodmanCommands.inspectNetworks([network]), runner, host)
        let gateway = found.first?.subnets?.first { $0.subnet.flatMap(Formats.CIDRBlock.init)?.isIPv4 == true }?.gateway
        guard let gateway else {
            throw OCError(
                .notFound,
                "host-gateway: network \(network) on \(host) has no IPv4 gateway to stand in for it (Podman before 5.3 "
                    + "does not resolve host-gateway itself)")
        }
        return gateway
    }
}
