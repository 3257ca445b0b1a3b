import Foundation

/// The references phase: references, `dependsOn`, `restartOn`, outputs and host backing become edges between
/// instances.
extension ManifestLoader {
    /// Links the declarations into a dependency graph of their instances.
    ///
    /// A dependency on a declaration is a dependency on every one of its instances.
    ///
    /// - Parameters:
    ///   - declared: the declarations phase's result.
    ///   - hosts: the manifest's hosts.
    ///   - diagnostics: where unknown targets go (located, with a did-you-mean).
    /// - Returns: the resource declarations (one per instance), the graph and the output references.
    func link(_ declared: Declared, hosts: [String: Host], diagnostics: inout Diagnostics) -> Linked {
        let prepared = declared.prepared
        let declaredAddresses = Set(prepared.map(\.address)).union(declared.undecoded)
        // A dependency on a declaration is a dependency on every one of its instances.
        var instancesOf: [Address: [Address]] = [:]
        var specs: [Address: any ResourceSpec] = [:]
        for item in prepared {
            instancesOf[item.address] = item.instances.map(\.address)
            for instance in item.instances { specs[instance.address] = instance.spec }
        }
        /// Whether `target` (a declaration, or one instance of it) is declared.
        func known(_ target: Address) -> Bool {
            declaredAddresses.contains(target.resource)
                && (target.key == nil || instancesOf[target.resource]?.contains(target) == true)
        }
        let instanceNames = declaredAddresses.map(\.description) + instancesOf.values.flatMap { $0 }.map(\.description)
        var graph = DependencyGraph()
        var outputReferences: [String: OutputReference] = [:]
        var declarations: [ResourceDeclaration] = []
        var edgeLocations: [Address: [Address: SourceLocation]] = [:]
        for item in prepared {
            let base = item.address.description
            var dependencies: [Address: SourceLocation] = [:]
            /// Depends on `target` (all its instances when it names a declaration); returns the instances.
            @discardableResult func depend(_ target: Address, _ location: SourceLocation) -> [Address] {
                var added: [Address] = []
                for instance in instancesOf[target.resource] ?? [target]
                where instance.resource != item.address && (target.key == nil || instance == target) {
                    dependencies[instance] = location
                    added.append(instance)
                }
                return added
            }
            for ref in item.refs {
                if ref.section == "hosts" {
                    if hosts[ref.name] == nil {
                        diagnostics.append(
                            .error(
                                "Unknown host '\(ref.name)'\(NearMiss.hint(for: ref.name, among: hosts.keys))",
                                detail:
                                    "Declare it under hosts: (known: \(hosts.keys.sorted().joined(separator: ", "))).",
                                at: ref.location, keyPath: ref.keyPath))
                    }
                    continue
                }
                let target = Address(ref.section, ref.name)
                if declaredAddresses.contains(target) {
                    depend(target, ref.location)
                } else {
                    let candidates = declaredAddresses.filter { $0.section == ref.section }.map(\.name)
                    diagnostics.append(
                        .error(
                            "Reference to undeclared \(ref.section) resource '\(ref.name)'"
                                + NearMiss.hint(for: ref.name, among: candidates),
                            detail: "Declare \(target) or fix the name.", at: ref.location, keyPath: ref.keyPath))
                }
            }
            for ref in item.instances.first?.spec.references(among: specs) ?? [] {
                let location = item.node.location(of: ref.keyPath)
                if declaredAddresses.contains(ref.target.resource) {
                    depend(ref.target, location)
                } else if ref.required {
                    let candidates = declaredAddresses.filter { $0.section == ref.target.section }.map(\.name)
                    diagnostics.append(
                        .error(
                            "Reference to undeclared resource '\(ref.target)'"
                                + NearMiss.hint(for: ref.target.name, among: candidates),
                            detail: "Declare \(ref.target) or fix the name.", at: location,
                            keyPath: "\(base).\(ref.keyPath)"))
                }
            }
            for (target, location) in item.dependsOn {
                if known(target) {
                    depend(target, location)
                } else {
                    let hint = NearMiss.hint(for: target.description, among: instanceNames)
                    diagnostics.append(
                        .error(
                            "dependsOn names undeclared resource '\(target)'\(hint)", at: location,
                            keyPath: base + ".dependsOn"))
                }
            }
            for written in item.outputs {
                guard
                    let reference = Self.outputReference(
                        written.expression, declared: instancesOf, catalog: catalog, at: written.location,
                        keyPath: written.keyPath, diagnostics: &diagnostics)
                else { continue }
                if reference.producer.resource == item.address {
                    diagnostics.append(
                        .error(
                            "\(item.address) reads its own output '\(written.expression)'",
                            detail: "A resource's outputs are known only after it is applied.", at: written.location,
                            keyPath: written.keyPath))
                    continue
                }
                outputReferences[reference.token] = reference
                depend(reference.producer, written.location)
            }
            var restarts: [Address] = []
            let triggers = restartTriggers(
                of: item.address, restartable: catalog.types[item.address.section]?.restartable ?? false,
                entries: item.restartOn, known: known, candidates: instanceNames,
                diagnostics: &diagnostics)
            for (target, location) in triggers { restarts += depend(target, location) }
            let directory = URL(fileURLWithPath: item.file).deletingLastPathComponent().path
            for instance in item.instances {
                var own = dependencies
                if let host = hosts[instance.host], let backing = catalog.backingResource(of: host),
                    declaredAddresses.contains(backing)
                {
                    for target in instancesOf[backing] ?? [backing] where own[target] == nil {
                        own[target] = instance.location
                    }
                }
                for sibling in instance.siblings {
                    own[item.address.instance(sibling)] = instance.location
                }
                graph.add(instance.address)
                for (target, location) in own {
                    graph.add(instance.address, dependsOn: target)
                    edgeLocations[instance.address, default: [:]][target] = location
                }
                declarations.append(
                    ResourceDeclaration(
                        address: instance.address, spec: instance.spec, node: item.node, location: item.keyLocation,
                        baseDirectory: directory, host: instance.host, dependencies: Set(own.keys),
                        usesSecrets: item.sensitive, sensitivityProbe: instance.probe,
                        restartOn: Self.restartTriggers(restarts, of: instance.address)))
            }
        }
        return Linked(
            declarations: declarations, graph: graph, edgeLocations: edgeLocations, declared: declaredAddresses,
            specs: specs, outputReferences: outputReferences)
    }

    /// Reports every cycle of the graph, located at its first edge.
    func reportCycles(_ linked: Linked, diagnostics: inout Diagnostics) {
        for cycle in linked.graph.cycles() {
            let first = cycle[0]
            let location = cycle.count > 1 ? linked.edgeLocations[first]?[cycle[1]] : nil
            diagnostics.append(
                .error(
                    "Dependency cycle: " + Self.cyclePath(cycle.map(\.description)),
                    detail: "Each resource in the cycle waits for the next. Remove one of these references or "
                        + "dependsOn entries.", at: location, keyPath: first.description))
        }
    }
}
