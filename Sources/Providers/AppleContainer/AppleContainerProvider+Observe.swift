import Foundation
import OCContainerModel
import OCCore

extension AppleContainerProvider {
    // MARK: - Response

    /// Turns the listed networks and containers into observations of `targets`, discovered objects and
    /// diagnostics.
    ///
    /// An object is looked up by name (the address's name). It is ours when it carries this stack's
    /// `io.ocplan.stack` label and the target's `io.ocplan.address`; otherwise it is foreign, with a note that
    /// says why. Objects with this stack's label whose address was not requested are `discovered`. A container
    /// that joins a network which neither exists nor is requested is an error diagnostic.
    ///
    /// - Parameters:
    ///   - networks: the parsed `container network list --format json`.
    ///   - containers: the parsed `container list --all --format json`.
    ///   - targets: the resources to observe.
    ///   - stack: the stack name.
    ///   - host: the host observed.
    /// - Returns: the response.
    package static func response(
        networks: [AppleContainerObservation.NetworkRecord],
        containers: [AppleContainerObservation.ContainerRecord],
        targets: [ObserveTarget],
        stack: String,
        host: OCCore.Host
    ) -> ObserveResponse {
        var response = ObserveResponse()
        let networksByName = Dictionary(networks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let containersByName = Dictionary(containers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for target in targets {
            let name = target.address.name
            // The same ownership rule for both kinds; only the record and its tree differ.
            func observed(_ labels: [String: String], kind: String, tree: Value, outputs: Value? = nil) -> Observation {
                let (ownership, note) = Self.ownership(labels, stack: stack, address: target.address, kind: kind)
                return Observation(value: tree, ownership: ownership, note: note, outputs: outputs)
            }
            switch target.address.section {
            case NetworkSpec.section:
                response.observations[target.address] =
                    networksByName[name].map {
                        observed(
                            $0.labels, kind: "network",
                            tree: Self.observedTree($0, desired: target.desired, lastApplied: target.lastApplied))
                    } ?? .absent
            case ContainerSpec.section:
                response.observations[target.address] =
                    containersByName[name].map {
                        observed(
                            $0.labels, kind: "container",
                            tree: Self.observedTree($0, desired: target.desired, lastApplied: target.lastApplied),
                            outputs: Self.outputs(of: $0))
                    } ?? .absent
            default:
                continue
            }
        }

        let requested = Set(targets.map(\.address))
        for record in networks {
            guard let address = Self.discoveredAddress(record.labels, stack: stack, section: NetworkSpec.section),
                !requested.contains(address)
            else { continue }
            response.discovered[address] = Observation(
                value: Self.observedTree(record, desired: nil, lastApplied: nil), ownership: .ours)
        }
        for record in containers {
            guard let address = Self.discoveredAddress(record.labels, stack: stack, section: ContainerSpec.section),
                !requested.contains(address)
            else { continue }
            response.discovered[address] = Observation(
                value: Self.observedTree(record, desired: nil, lastApplied: nil), ownership: .ours)
        }
        response.diagnostics = missingNetworkProblems(
            targets: targets, existing: Set(networks.map(\.id)), host: host)
        return response
    }

    /// What a container publishes (``ContainerSpec/outputs``): its ID and, per network it is attached to while
    /// running, its IPv4 address there without the prefix length (`container list` prints `192.168.64.3/24`).
    package static func outputs(of container: AppleContainerObservation.ContainerRecord) -> Value {
        var ipv4: [String: Value] = [:]
        if container.state == "running" {
            for (network, address) in container.addresses {
                let bare = address.split(separator: "/").first.map(String.init) ?? address
                if !bare.isEmpty { ipv4[network] = .string(bare) }
            }
        }
        return ["id": .string(container.id), "ipv4": .map(ipv4)]
    }

    /// Who owns an object with `labels`, and a note for a foreign one.
    ///
    /// - Parameters:
    ///   - labels: the object's labels.
    ///   - stack: the stack observing.
    ///   - address: the resource the object's name matches.
    ///   - kind: `container` or `network`, for the note.
    /// - Returns: ours when the labels name this stack and address; foreign with the reason otherwise.
    package static func ownership(
        _ labels: [String: String], stack: String, address: Address, kind: String
    ) -> (Observation.Ownership, String?) {
        typealias Label = AppleContainerTree.Label
        let name = address.name
        guard let owner = labels[Label.stack] else {
            return (.foreign, "\(kind) \(name) was not created by ocplan (it has no \(Label.stack) label)")
        }
        guard owner == stack else {
            return (.foreign, "\(kind) \(name) belongs to stack '\(owner)' (label \(Label.stack)=\(owner))")
        }
        let claimed = labels[Label.address] ?? "no address"
        guard claimed == address.description else {
            return (.foreign, "\(kind) \(name) carries this stack's label but belongs to \(claimed)")
        }
        return (.ours, nil)
    }

    /// The address of an object that carries `stack`'s labels for a resource of `section`.
    private static func discoveredAddress(_ labels: [String: String], stack: String, section: String) -> Address? {
        guard labels[AppleContainerTree.Label.stack] == stack,
            let text = labels[AppleContainerTree.Label.address], let address = Address(parsing: text),
            address.section == section
        else { return nil }
        return address
    }

    /// An error for each network a container joins that neither exists on the host nor is requested.
    private static func missingNetworkProblems(
        targets: [ObserveTarget], existing: Set<String>, host: OCCore.Host
    ) -> [Diagnostic] {
        var known = existing
        known.insert(AppleContainerTree.defaultNetwork)
        for target in targets where target.address.section == NetworkSpec.section && target.desired != nil {
            known.insert(target.address.name)
        }
        var problems: [Diagnostic] = []
        for target in targets where target.address.section == ContainerSpec.section {
            let names = target.desired?[AppleContainerTree.ContainerKey.networks].listValue ?? []
            for name in names.compactMap(\.stringValue) where !known.contains(name) {
                problems.append(
                    Diagnostic(
                        .error, "Network '\(name)' does not exist on host '\(host.name)'",
                        detail: "\(target.address) joins it, but it is not declared in `networks` with "
                            + "`runtime: apple` and `container network list` does not show it. Declare it, or "
                            + "create it with `container network create \(name)`.",
                        keyPath: "\(target.address).networks", address: target.address))
            }
        }
        return problems
    }

    // MARK: - Observed trees

    /// The tree of a listed network, in the desired tree's shape.
    ///
    /// `subnet` and `ipv6Subnet` are present only when the desired or last applied tree sets them: otherwise the
    /// runtime chose them and any value is right.
    ///
    /// - Parameters:
    ///   - record: the listed network.
    ///   - desired: the desired tree, if any.
    ///   - lastApplied: the tree of the last apply, if any.
    /// - Returns: the observed tree.
    package static func observedTree(
        _ record: AppleContainerObservation.NetworkRecord, desired: Value?, lastApplied: Value?
    ) -> Value {
        typealias Key = AppleContainerTree.NetworkKey
        let reference = referenceKeys(desired, lastApplied)
        var tree: Value = [
            Key.isInternal: .bool(record.isInternal),
            Key.labels: AppleContainerTree.stringMap(AppleContainerTree.userLabels(record.labels)),
        ]
        if reference.contains(Key.subnet), let subnet = record.ipv4Subnet { tree[Key.subnet] = .string(subnet) }
        if reference.contains(Key.ipv6Subnet), let subnet = record.ipv6Subnet {
            tree[Key.ipv6Subnet] = .string(subnet)
        }
        return tree
    }

    /// The tree of a listed container, in the desired tree's shape.
    ///
    /// Attributes the JSON reports are taken from it: `env` only for the names the desired or last applied
    /// tree sets (the image adds others), and optional attributes only when one of those trees sets them.
    /// Attributes it does not report are taken from whichever of the two trees has the hash in the container's
    /// `io.ocplan.spec-hash` label, or shown as ``AppleContainerTree/unknownValue`` when neither has.
    ///
    /// - Parameters:
    ///   - record: the listed container.
    ///   - desired: the desired tree, if any.
    ///   - lastApplied: the tree of the last apply, if any.
    /// - Returns: the observed tree.
    package static func observedTree(
        _ record: AppleContainerObservation.ContainerRecord, desired: Value?, lastApplied: Value?
    ) -> Value {
        typealias Key = AppleContainerTree.ContainerKey
        var reported: [String: Value] = [
            Key.image: .string(ImageName.qualified(record.image)),
            Key.networks: .strings(record.networks),
            Key.ports: .strings(record.ports),
            Key.volumes: .strings(record.volumes),
            Key.tmpfs: .strings(record.tmpfs),
            Key.labels: AppleContainerTree.stringMap(AppleContainerTree.userLabels(record.labels)),
            Key.state: .string(record.isRunning ? "running" : "stopped"),
        ]
        if let readOnly = record.readOnly { reported[Key.readOnly] = .bool(readOnly) }
        if let capAdd = record.capAdd { reported[Key.capAdd] = .strings(capAdd) }
        if let capDrop = record.capDrop { reported[Key.capDrop] = .strings(capDrop) }
        if let process = record.process {
            let names = [desired, lastApplied].compactMap { $0?[Key.env].mapValue?.keys }.flatMap { $0 }
            let environment =
                desired == nil && lastApplied == nil
                ? process.environment : process.environment.filter { Set(names).contains($0.key) }
            reported[Key.env] = AppleContainerTree.stringMap(environment)
            if let user = process.user { reported[Key.user] = .string(user) }
            if let workdir = process.workingDirectory { reported[Key.workdir] = .string(workdir) }
        }
        if let dns = record.dns { reported[Key.dns] = .strings(dns) }
        if let cpus = record.cpus { reported[Key.cpus] = .int(cpus) }
        if let memory = record.memoryBytes { reported[Key.memory] = .int(memory) }

        let reference = referenceKeys(desired, lastApplied)
        let hash = record.labels[AppleContainerTree.Label.specHash]
        let source = [desired, lastApplied].compactMap { $0 }.first { AppleContainerTree.specHash($0) == hash }
        var tree: [String: Value] = [:]
        for key in Key.all {
            if Key.optional.contains(key) && !reference.contains(key) { continue }
            if let value = reported[key], !Key.unreportable.contains(key) {
                tree[key] = value
            } else if let source {
                tree[key] = source[key] == .null ? nil : source[key]
            } else if reference.contains(key) {
                tree[key] = .string(AppleContainerTree.unknownValue)
            }
        }
        return .map(tree)
    }

    /// The top-level keys of the desired and last applied trees.
    private static func referenceKeys(_ desired: Value?, _ lastApplied: Value?) -> Set<String> {
        Set([desired, lastApplied].compactMap { $0?.mapValue?.keys }.flatMap { $0 })
    }
}
