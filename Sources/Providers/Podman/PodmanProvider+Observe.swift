import Foundation
import OCContainerModel
import OCCore

extension PodmanProvider {
    /// The requested targets of one observation, by kind.
    struct ObserveTargets {
        var networks: [ObserveTarget] = []
        var volumes: [ObserveTarget] = []
        var images: [ObserveTarget] = []
        var containers: [ObserveTarget] = []

        init(_ targets: [ObserveTarget]) {
            for target in targets {
                switch target.address.section {
                case NetworkSpec.section: networks.append(target)
                case VolumeSpec.section: volumes.append(target)
                case ImageSpec.section: images.append(target)
                case ContainerSpec.section: containers.append(target)
                default: continue
                }
            }
        }

        /// The networks a container tree joins.
        static func networkNames(_ tree: Value?) -> [String] {
            (tree?[PodmanTree.Container.networks].mapValue ?? [:]).filter { !$0.value.isNull }.keys.sorted()
        }

        /// The containers whose network namespace a container joins (`networks: ["container:NAME"]`), now or at
        /// the last apply: inspected too, so that the observed `container:<ID>` reads as the name.
        var sharedNamespaces: Set<String> {
            var names = Set<String>()
            for target in containers {
                for tree in [target.desired, target.lastApplied] {
                    if let name = PodmanObservation.sharedNamespace(tree?[PodmanTree.Container.networkMode]) {
                        names.insert(name)
                    }
                }
            }
            return names
        }

        /// The image references the targets name, now or at the last apply: the images' own, and the containers'
        /// (`afterDelete: false` leaves out containers that should be gone, whose image a read-back does not need).
        func imageReferences(afterDelete: Bool) -> Set<String> {
            var references = Set<String>()
            for target in images {
                let candidates = [target.lastApplied, target.desired].map {
                    $0?[PodmanTree.Image.reference].stringValue
                }
                references.formUnion(candidates.compactMap { $0 })
            }
            for target in containers where afterDelete || target.desired != nil {
                let candidates = [target.lastApplied, target.desired].map {
                    $0?[PodmanTree.Container.image].stringValue
                }
                references.formUnion(candidates.compactMap { $0 })
            }
            return references
        }

        /// The networks the desired containers join by name (network modes left out).
        var joinedNetworks: Set<String> {
            var names = Set<String>()
            for target in containers {
                names.formUnion(Self.networkNames(target.desired))
            }
            return names
        }
    }

    /// What the batched commands printed.
    struct Listing {
        var networks: [PodmanJSON.Network] = []
        var volumes: [PodmanJSON.Volume] = []
        var containers: [PodmanJSON.ContainerListEntry] = []
        var images: [PodmanJSON.ImageListEntry] = []
        var inspectedNetworks: [String: PodmanJSON.Network] = [:]
        var inspectedVolumes: [String: PodmanJSON.Volume] = [:]
        var inspectedContainers: [String: PodmanJSON.Container] = [:]
        var imageDefaults: [String: PodmanJSON.Image] = [:]

        /// Keeps what the list and inspect commands printed, by name (images by ID, and as `podman images` would
        /// list them, for resolving references).
        mutating func index(
            networks: [PodmanJSON.Network], volumes: [PodmanJSON.Volume], containers: [PodmanJSON.Container],
            images: [PodmanJSON.Image]
        ) {
            self.images = images.map(\.listEntry)
            inspectedNetworks = Dictionary(networks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            inspectedVolumes = Dictionary(volumes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            inspectedContainers = Dictionary(containers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            imageDefaults = Dictionary(images.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Observes every requested network, volume, image and container on one host with at most seven
    /// commands, run in two parallel rounds.
    ///
    /// Round one lists the stack's networks, volumes and containers (filtered by `io.ocplan.stack`; the network
    /// and volume lists print what inspect would); round two inspects the containers (requested and listed), the
    /// images the manifest names and the listed containers run, and only the networks and volumes the lists
    /// lacked. An inspect that misses some names exits 125 and still prints the others. A read-back
    /// (``ObserveRequest/readBack``) only inspects the targets and their images (``readBack(_:request:)``).
    ///
    /// - Throws: ``CommandFailure`` when a command fails for another reason (`.toolMissing` without Podman).
    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        let targets = ObserveTargets(request.targets)
        let listing =
            request.readBack
            ? try await Self.readBack(targets, request: request) : try await Self.list(targets, request: request)
        var response = ObserveResponse()
        observeNetworks(targets, listing: listing, stack: request.stack, into: &response)
        observeVolumes(targets, listing: listing, request: request, into: &response)
        observeImages(targets, listing: listing, into: &response)
        observeContainers(targets, listing: listing, request: request, into: &response)
        return response
    }

    // MARK: - Commands

    /// Runs the list and inspect commands.
    static func list(_ targets: ObserveTargets, request: ObserveRequest) async throws -> Listing {
        let runner = request.runner
        let host = request.host.name
        let stack = request.stack

        async let networks = decode(PodmanJSON.Network.self, PodmanCommands.listNetworks(stack: stack), runner, host)
        async let volumes = decode(PodmanJSON.Volume.self, PodmanCommands.listVolumes(stack: stack), runner, host)
        async let containers = decode(
            PodmanJSON.ContainerListEntry.self, PodmanCommands.listContainers(stack: stack), runner, host)
        var listing = Listing()
        (listing.networks, listing.volumes, listing.containers) = try await (networks, volumes, containers)

        // `network ls` and `volume ls` print what inspect prints: only the names they did not list (another
        // stack's, unmarked or absent, and the existing networks containers join) are inspected.
        let networkNames = Set(targets.networks.map(\.address.name)).union(targets.joinedNetworks)
            .subtracting(listing.networks.map(\.name)).sorted()
        let volumeNames = Set(targets.volumes.map(\.address.name)).subtracting(listing.volumes.map(\.name)).sorted()
        let requestedContainers = Set(targets.containers.map(\.address.name))
        let containerNames = requestedContainers.union(listing.containers.compactMap { $0.names?.first })
            .union(targets.sharedNamespaces).sorted()
        // The images named by the manifest and those the stack's containers run, in one inspect (no `podman
        // images`, which lists the whole store).
        let imageNames = targets.imageReferences(afterDelete: true).union(listing.containers.compactMap(\.imageID))
            .sorted()

        async let inspectedNetworks = inspect(
            PodmanJSON.Network.self, command(networkNames, PodmanCommands.inspectNetworks), runner, host)
        async let inspectedVolumes = inspect(
            PodmanJSON.Volume.self, command(volumeNames, PodmanCommands.inspectVolumes), runner, host)
        async let inspectedContainers = inspect(
            PodmanJSON.Container.self, command(containerNames, PodmanCommands.inspectContainers), runner, host)
        async let inspectedImages = inspect(
            PodmanJSON.Image.self, command(imageNames, PodmanCommands.inspectImages), runner, host)
        let (foundNetworks, foundVolumes, foundContainers, foundImages) = try await (
            inspectedNetworks, inspectedVolumes, inspectedContainers, inspectedImages
        )
        listing.index(
            networks: listing.networks + foundNetworks, volumes: listing.volumes + foundVolumes,
            containers: foundContainers, images: foundImages)
        return listing
    }

    /// Inspects exactly the targets, for the read-back after an action.
    ///
    /// That is `podman container inspect NAME`, the images the containers name or run (`podman image inspect`),
    /// and the named networks and volumes. Nothing is listed and nothing is discovered, so an apply runs a fixed
    /// number of commands per action.
    static func readBack(_ targets: ObserveTargets, request: ObserveRequest) async throws -> Listing {
        let runner = request.runner
        let host = request.host.name
        func names(_ targets: [ObserveTarget]) -> [String] { Set(targets.map(\.address.name)).sorted() }
        let references = targets.imageReferences(afterDelete: false)
        async let networks = inspect(
            PodmanJSON.Network.self, command(names(targets.networks), PodmanCommands.inspectNetworks), runner, host)
        async let volumes = inspect(
            PodmanJSON.Volume.self, command(names(targets.volumes), PodmanCommands.inspectVolumes), runner, host)
        // A container that joins another's network namespace reads it as `container:<ID>`: that one is inspected
        // too, to read the ID as the name.
        let containerNames = Set(names(targets.containers)).union(targets.sharedNamespaces).sorted()
        async let containers = inspect(
            PodmanJSON.Container.self, command(containerNames, PodmanCommands.inspectContainers), runner, host)
        async let named = inspect(
            PodmanJSON.Image.self, command(references.sorted(), PodmanCommands.inspectImages), runner, host)
        var listing = Listing()
        let (foundNetworks, foundVolumes, foundContainers, namedImages) = try await (
            networks, volumes, containers, named
        )
        // A container whose image lost its name (rebuilt under the same tag) runs an image nobody named.
        let unnamed = Set(foundContainers.compactMap(\.image)).subtracting(namedImages.map(\.id)).sorted()
        let images =
            try await namedImages
            + inspect(
                PodmanJSON.Image.self, command(unnamed, PodmanCommands.inspectImages), runner, host)
        listing.networks = foundNetworks
        listing.volumes = foundVolumes
        listing.index(networks: foundNetworks, volumes: foundVolumes, containers: foundContainers, images: images)
        return listing
    }

    /// The inspect command of `names`, or `nil` for none (nothing to run).
    static func command(_ names: [String], _ make: ([String]) -> Command) -> Command? {
        names.isEmpty ? nil : make(names)
    }

    /// Runs a list command (which must succeed) and decodes its JSON array; `[]` for no command.
    static func decode<T: Decodable>(
        _ type: T.Type, _ command: Command?, _ runner: any CommandRunner, _ host: String
    ) async throws -> [T] {
        guard let command else { return [] }
        let result = try await runner.check(command, host: host)
        return try parse(type, result, command: command, host: host)
    }

    /// Runs an inspect command and decodes what it found; a name that does not exist is not an error.
    ///
    /// Inspect exits 125 when any name is missing, printing the found objects on stdout and one
    /// `no such …`/`… not found` line per missing name on stderr (Podman 4.3.1 and 5.x).
    static func inspect<T: Decodable>(
        _ type: T.Type, _ command: Command?, _ runner: any CommandRunner, _ host: String
    ) async throws -> [T] {
        guard let command else { return [] }
        let result = try await runner.run(command)
        if !result.succeeded {
            let problems = result.stderrText.split(whereSeparator: \.isNewline).filter {
                !$0.contains("failed to connect to syslog") && !isMissingObject(String($0))
            }
            guard result.exitStatus == 125, problems.isEmpty else {
                throw CommandFailure.exited(command, result, host: host)
            }
        }
        return try parse(type, result, command: command, host: host)
    }

    /// Whether a line of Podman's stderr says an object does not exist.
    static func isMissingObject(_ line: String) -> Bool {
        missingMarkers.contains { line.localizedCaseInsensitiveContains($0) }
    }

    /// What Podman says about an object that does not exist.
    static let missingMarkers = ["no such", "not found", "not known", "unable to find"]

    private static func parse<T: Decodable>(
        _ type: T.Type, _ result: CommandResult, command: Command, host: String
    ) throws -> [T] {
        do {
            return try PodmanJSON.decodeArray(type, from: result.stdout)
        } catch {
            throw CommandFailure.unrecognised(
                command, result, host: host, expected: "a JSON array from Podman 4.3 or later")
        }
    }

    // MARK: - Networks

    func observeNetworks(
        _ targets: ObserveTargets, listing: Listing, stack: String, into response: inout ObserveResponse
    ) {
        let listed = Dictionary(listing.networks.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for target in targets.networks {
            let name = target.address.name
            guard let found = listing.inspectedNetworks[name] ?? listed[name] else {
                response.observations[target.address] = .absent
                continue
            }
            let owner = PodmanLabels.ownership(found.labels, stack: stack, kind: "network", name: name)
            response.observations[target.address] = Observation(
                value: PodmanObservation.network(found, reference: target.desired ?? target.lastApplied),
                ownership: owner.ownership, note: owner.note)
        }
        // The stack's networks nobody asked about: created by a run whose state was lost. A network a
        // container of the manifest joins as an existing one is left alone.
        let requested = Set(targets.networks.map(\.address.name)).union(targets.joinedNetworks)
        for network in listing.networks where !requested.contains(network.name) {
            guard network.labels?[PodmanLabels.stack] == stack else { continue }
            response.discovered[Address(NetworkSpec.section, network.name)] = Observation(
                value: PodmanObservation.network(network, reference: nil), ownership: .ours)
        }
    }

    // MARK: - Volumes

    /// Volumes: the stack's label is `ours`, another stack's `foreign`; a volume without any ocplan label is
    /// `unmarked`, so that `--adopt` takes it over through the state journal without recreating it (labels
    /// cannot be added to a volume, and recreating would delete its data).
    func observeVolumes(
        _ targets: ObserveTargets, listing: Listing, request: ObserveRequest, into response: inout ObserveResponse
    ) {
        let stack = request.stack
        let listed = Dictionary(listing.volumes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for target in targets.volumes {
            let name = target.address.name
            guard let found = listing.inspectedVolumes[name] ?? listed[name] else {
                response.observations[target.address] = .absent
                continue
            }
            var owner = PodmanLabels.ownership(found.labels, stack: stack, kind: "volume", name: name)
            if found.labels?[PodmanLabels.stack] == nil { owner.ownership = .unmarked }
            // deleteData as last applied: a destroy deletes only when the journal says so (a changed value is
            // applied in place first, as terraform's force_destroy), and a saved plan's fingerprint is stable.
            let applied = target.lastApplied ?? target.desired
            let observed = PodmanObservation.volume(
                found, deleteData: applied?[PodmanTree.Volume.deleteData].boolValue ?? false)
            response.observations[target.address] = Observation(
                value: observed, ownership: owner.ownership, note: owner.note)
            let managed = owner.ownership == .ours || target.lastApplied != nil
            if target.desired == nil, managed {
                response.diagnostics.append(
                    Diagnostic(
                        .error,
                        "\(target.address) was removed from the manifest, but ocplan never deletes a volume then",
                        detail: "Volumes hold data: ocplan deletes one only in a destroy plan of a spec that says "
                            + "deleteData: true. Put it back to keep managing it; to delete it, put it back with "
                            + "deleteData: true, apply, run ocplan --destroy --target \(target.address) and then remove "
                            + "it; or remove it by hand (podman volume rm \(name)) before removing it from the manifest.",
                        address: target.address))
            }
        }
        let requested = Set(targets.volumes.map(\.address.name))
        for volume in listing.volumes where !requested.contains(volume.name) {
            guard volume.labels?[PodmanLabels.stack] == stack else { continue }
            response.diagnostics.append(
                .warning(
                    "Volume \(volume.name) on \(request.host.name) carries stack '\(stack)''s label but is not in the "
                        + "manifest or the state journal",
                    detail: "Volumes hold data, so ocplan keeps it. Declare it under volumes: to manage it again, or "
                        + "remove it by hand (podman volume rm \(volume.name))."))
        }
    }

    // MARK: - Images

    /// Images: looked up under the reference last applied, else under the desired one.
    ///
    /// A changed reference thus shows as a replace. An image's presence is what the resource manages, so a found image is `ours`;
    /// deletion removes only images the stack pulled, built or imported (private state).
    func observeImages(_ targets: ObserveTargets, listing: Listing, into response: inout ObserveResponse) {
        typealias Key = PodmanTree.Image
        for target in targets.images {
            guard let reference = target.desired ?? target.lastApplied else { continue }
            let candidates = [target.lastApplied?[Key.reference].stringValue, reference[Key.reference].stringValue]
            var found: (String, PodmanJSON.ImageListEntry)?
            for case let name? in candidates {
                if let entry = ImageReference.resolve(name, in: listing.images) {
                    found = (name, entry)
                    break
                }
            }
            guard let (name, entry) = found else {
                response.observations[target.address] = .absent
                continue
            }
            var tree = PodmanObservation.image(entry, reference: reference)
            tree[Key.reference] = .string(name)
            response.observations[target.address] = Observation(value: tree, ownership: .ours)
        }
    }

    // MARK: - Containers

    func observeContainers(
        _ targets: ObserveTargets, listing: Listing, request: ObserveRequest, into response: inout ObserveResponse
    ) {
        let stack = request.stack
        func tree(_ found: PodmanJSON.Container, desired: Value?, lastApplied: Value?) -> Value {
            let reference = (desired ?? lastApplied)?[PodmanTree.Container.image].stringValue
            let current = (reference ?? found.imageName).flatMap { ImageReference.resolve($0, in: listing.images) }
            var context = PodmanObservation.ContainerContext(
                desired: desired, lastApplied: lastApplied, image: found.image.flatMap { listing.imageDefaults[$0] },
                currentImageID: current?.id)
            if let name = PodmanObservation.sharedNamespace((desired ?? lastApplied)?[PodmanTree.Container.networkMode])
            {
                context.sharedNamespaceID = listing.inspectedContainers[name]?.id
            }
            return PodmanObservation.container(found, context: context)
        }
        for target in targets.containers {
            let name = target.address.name
            guard let found = listing.inspectedContainers[name] else {
                response.observations[target.address] = .absent
                continue
            }
            let owner = PodmanLabels.ownership(found.config?.labels, stack: stack, kind: "container", name: name)
            response.observations[target.address] = Observation(
                value: tree(found, desired: target.desired, lastApplied: target.lastApplied),
                ownership: owner.ownership, note: owner.note, outputs: PodmanObservation.outputs(of: found))
        }
        let requested = Set(targets.containers.map(\.address.name))
        for entry in listing.containers {
            guard let name = entry.names?.first, !requested.contains(name),
                entry.labels?[PodmanLabels.stack] == stack, let found = listing.inspectedContainers[name]
            else { continue }
            response.discovered[Address(ContainerSpec.section, name)] = Observation(
                value: tree(found, desired: nil, lastApplied: nil), ownership: .ours)
        }

        // A network a container joins must be declared or exist (a misspelt `podman` is the usual case); a
        // read-back inspects no network it was not asked about, and the plan checked this already.
        guard !request.readBack else { return }
        let declared = Set(targets.networks.filter { $0.desired != nil }.map(\.address.name))
        for target in targets.containers {
            let joined = ObserveTargets.networkNames(target.desired)
            for network in joined where !declared.contains(network) && listing.inspectedNetworks[network] == nil {
                let hint = NearMiss.hint(
                    for: network, among: declared.union(listing.inspectedNetworks.keys).union(["podman"]))
                response.diagnostics.append(
                    Diagnostic(
                        .error,
                        "\(target.address) joins network '\(network)', which does not exist on \(request.host.name)"
                            + hint,
                        detail: "The network is neither declared under networks: nor present on the host. Declare "
                            + "it, create it, or fix the name (Podman's default network is `podman`).",
                        keyPath: "\(target.address).networks", address: target.address))
            }
        }
    }
}
