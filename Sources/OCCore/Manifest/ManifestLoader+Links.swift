import Foundation

/// The references phase: references, `dependsOn`, `restartOn`, outputs and host backing become edges between
/// instances.
extension ManifestLoader {
    /// What the references phase looks names up in: the declarations and their instances.
    struct Index {
        /// The declarations (and the declared resources that did not decode).
        var declared: Set<Address>
        /// The instances of each declaration: a dependency on a declaration is one on each of them.
        var instancesOf: [Address: [Address]]
        /// Every instance's spec.
        var specs: [Address: any ResourceSpec]
        /// Every declaration and instance address, for suggestions.
        var instanceNames: [String]

        /// Whether `target` (a declaration, or one instance of it) is declared.
        func known(_ target: Address) -> Bool {
            declared.contains(target.resource)
                && (target.key == nil || instancesOf[target.resource]?.contains(target) == true)
        }
    }

    /// What one declaration depends on, before host backing and its instances' siblings.
    struct Edges {
        /// The instances it waits for, each with where the dependency is written.
        var dependencies: [Address: SourceLocation] = [:]
        /// The instances whose change restarts it (`restartOn`), also dependencies.
        var restarts: [Address] = []
        /// The outputs it reads.
        var outputs: [OutputReference] = []
    }

    /// Links the declarations into a dependency graph of their instances.
    ///
    /// A dependency on a declaration is a dependency on every one of its instances.
    ///
    /// - Parameters:
    ///   - declared: the declarations phase's result.
    ///   - settings: the manifest's hosts (and the invalid ones, which are not reported again).
    ///   - diagnostics: where unknown targets go (located, with a did-you-mean).
    /// - Returns: the resource declarations (one per instance), the graph and the output references.
    func link(_ declared: Declared, settings: Settings, diagnostics: inout Diagnostics) -> Linked {
        let hosts = settings.hosts
        var index = Index(
            declared: Set(declared.prepared.map(\.address)).union(declared.undecoded), instancesOf: [:], specs: [:],
            instanceNames: [])
        for item in declared.prepared {
            index.instancesOf[item.address] = item.instances.map(\.address)
            for instance in item.instances { index.specs[instance.address] = instance.spec }
        }
        index.instanceNames =
            index.declared.map(\.description) + index.instancesOf.values.flatMap { $0 }.map(\.description)
        var linked = Linked(
            declarations: [], graph: DependencyGraph(), edgeLocations: [:], declared: index.declared,
            specs: index.specs, outputReferences: [:])
        // Once per host, not once per instance: the catalog asks every spec type.
        let backingOf = hosts.compactMapValues { catalog.backingResource(of: $0) }
        for item in declared.prepared {
            let edges = edges(of: item, index: index, settings: settings, diagnostics: &diagnostics)
            for reference in edges.outputs { linked.outputReferences[reference.token] = reference }
            let directory = URL(fileURLWithPath: item.file).deletingLastPathComponent().path
            for instance in item.instances {
                var own = edges.dependencies
                if let backing = backingOf[instance.host], index.declared.contains(backing) {
                    for target in index.instancesOf[backing] ?? [backing] where own[target] == nil {
                        own[target] = instance.location
                    }
                }
                for sibling in instance.siblings {
                    own[item.address.instance(sibling)] = instance.location
                }
                linked.graph.add(instance.address)
                for (target, location) in own {
                    linked.graph.add(instance.address, dependsOn: target)
                    linked.edgeLocations[instance.address, default: [:]][target] = location
                }
                linked.declarations.append(
                    ResourceDeclaration(
                        address: instance.address, spec: instance.spec, node: item.node, location: item.keyLocation,
                        baseDirectory: directory, host: instance.host, dependencies: Set(own.keys),
                        usesSecrets: item.sensitive, sensitivityProbe: instance.probe,
                        restartOn: Self.restartTriggers(edges.restarts, of: instance.address)))
            }
        }
        return linked
    }

    /// The edges one declaration's references, `dependsOn`, outputs and `restartOn` add; an unknown target is a
    /// located error with a suggestion.
    func edges(of item: Prepared, index: Index, settings: Settings, diagnostics: inout Diagnostics) -> Edges {
        let hosts = settings.hosts
        let base = item.address.description
        var edges = Edges()
        /// Depends on `target` (all its instances when it names a declaration); returns the instances.
        @discardableResult func depend(_ target: Address, _ location: SourceLocation) -> [Address] {
            var added: [Address] = []
            for instance in index.instancesOf[target.resource] ?? [target]
            where instance.resource != item.address && (target.key == nil || instance == target) {
                edges.dependencies[instance] = location
                added.append(instance)
            }
            return added
        }
        for ref in item.refs {
            if ref.section == "hosts" {
                if hosts[ref.name] == nil, !settings.brokenHosts.contains(ref.name) {
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
            if index.declared.contains(target) {
                depend(target, ref.location)
            } else {
                let candidates = index.declared.filter { $0.section == ref.section }.map(\.name)
                diagnostics.append(
                    .error(
                        "Reference to undeclared \(ref.section) resource '\(ref.name)'"
                            + NearMiss.hint(for: ref.name, among: candidates),
                        detail: "Declare \(target) or fix the name.", at: ref.location, keyPath: ref.keyPath))
            }
        }
        for ref in item.instances.first?.spec.references(among: index.specs) ?? [] {
            let location = item.node.location(of: ref.keyPath)
            if index.declared.contains(ref.target.resource) {
                depend(ref.target, location)
            } else if ref.required {
                let candidates = index.declared.filter { $0.section == ref.target.section }.map(\.name)
                diagnostics.append(
                    .error(
                        "Reference to undeclared resource '\(ref.target)'"
                            + NearMiss.hint(for: ref.target.name, among: candidates),
                        detail: "Declare \(ref.target) or fix the name.", at: location,
                        keyPath: "\(base).\(ref.keyPath)"))
            }
        }
        for (target, location) in item.dependsOn {
            if index.known(target) {
                depend(target, location)
            } else {
                let hint = NearMiss.hint(for: target.description, among: index.instanceNames)
                diagnostics.append(
                    .error(
                        "dependsOn names undeclared resource '\(target)'\(hint)", at: location,
                        keyPath: base + ".dependsOn"))
            }
        }
        for written in item.outputs {
            guard
                let reference = Self.outputReference(
                    written.expression, declared: index.instancesOf, catalog: catalog, at: written.location,
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
            edges.outputs.append(reference)
            depend(reference.producer, written.location)
        }
        let triggers = restartTriggers(
            of: item.address, restartable: catalog.types[item.address.section]?.restartable ?? false,
            entries: item.restartOn, known: index.known, candidates: index.instanceNames,
            diagnostics: &diagnostics)
        for (target, location) in triggers { edges.restarts += depend(target, location) }
        return edges
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
