import Foundation
import Yams

/// The declarations phase: each resource interpolated, schema-checked, decoded and expanded into its instances.
extension ManifestLoader {
    /// Prepares every resource of the manifest.
    ///
    /// - Parameters:
    ///   - resources: the resource entries the parse phase merged.
    ///   - settings: the variables and hosts.
    ///   - diagnostics: where problems go (interpolation, engine keys, schema, decoding).
    /// - Returns: the declarations that decoded, with their instances, and the secrets they read.
    func declare(_ resources: [ResourceNode], settings: Settings, diagnostics: inout Diagnostics) -> Declared {
        var interpolator = Interpolator(
            variables: settings.variables, environment: environment, requireEnvironment: requireEnvironment)
        interpolator.outputSections = Set(catalog.types.keys)
        var prepared: [Prepared] = []
        var probeTokens: [String: String]?  // made once, for the first resource that reads a secret
        // One decoder for all resources: creating one reads the process environment (Yams' encoding choice).
        let decoder = YAMLDecoder()
        for item in resources {
            guard let type = catalog.types[item.address.section] else { continue }
            let base = item.address.description
            let referencesBefore = interpolator.outputReferences.count
            var (node, sensitive) = interpolator.expand(item.node, keyPath: base)
            let outputs = Array(interpolator.outputReferences[referencesBefore...])
            let dependsOn = engineAddresses("dependsOn", in: node, base: base, diagnostics: &diagnostics)
            let restartOn = engineAddresses("restartOn", in: node, base: base, diagnostics: &diagnostics)
            let placement = Self.hostList(in: node, type: type, base: base, diagnostics: &diagnostics)
            node = Self.specNode(node)
            var checker = SchemaChecker(basePath: base)
            checker.check(Self.placed(node, on: placement?.first?.name), against: type.schema)
            diagnostics.append(contentsOf: checker.diagnostics)
            guard checker.diagnostics.isEmpty else { continue }
            do {
                var instances: [Prepared.Instance] = []
                // `hosts: [a, b]` on a section whose resources have one `host`: one instance per host.
                let hostsOfInstances: [(name: String, location: SourceLocation)?] =
                    placement.map { $0.map { $0 } } ?? [nil]
                for host in hostsOfInstances {
                    let spec = try decoder.decode(type, from: Self.placed(node, on: host?.name).yamsNode())
                    var probe: (any ResourceSpec)?
                    if sensitive {
                        if probeTokens == nil { probeTokens = Self.probeEnvironment(environment) }
                        probe = Self.sensitivityProbe(
                            item.node, type: type, variables: settings.variables, tokens: probeTokens ?? [:],
                            keyPath: base, host: host?.name, outputSections: interpolator.outputSections,
                            decoder: decoder)
                    }
                    for instance in spec.instances() {
                        let key = [host?.name, instance.key].compactMap { $0 }.joined(separator: ".")
                        instances.append(
                            Prepared.Instance(
                                address: key.isEmpty ? item.address : item.address.instance(key), spec: spec,
                                host: instance.host, siblings: instance.dependsOn, probe: probe,
                                location: host?.location ?? item.keyLocation))
                    }
                }
                prepared.append(
                    Prepared(
                        address: item.address, node: node, raw: item.node, keyLocation: item.keyLocation,
                        file: item.file, refs: checker.references, dependsOn: dependsOn, restartOn: restartOn,
                        sensitive: sensitive, instances: instances, outputs: outputs))
            } catch {
                diagnostics.append(decodingDiagnostic(error, node: node, base: base))
            }
        }
        diagnostics.append(contentsOf: interpolator.diagnostics)
        return Declared(prepared: prepared, secrets: interpolator.secrets)
    }

    /// Each spec's own validation, once per instance; a problem several instances share is said once.
    func validateSpecs(_ linked: Linked, declared: Declared, hosts: [String: Host], diagnostics: inout Diagnostics) {
        var rawNodes: [Address: SourceNode] = [:]
        for item in declared.prepared { rawNodes[item.address] = item.raw }
        var said = Set<String>()
        for declaration in linked.declarations {
            let node = declaration.node
            let raw = rawNodes[declaration.address.resource]
            let context = ValidationContext(
                address: declaration.address, hosts: hosts, specs: linked.specs,
                locate: { node.location(of: $0) }, written: { raw?.node(at: $0)?.scalar })
            for diagnostic in declaration.spec.validate(in: context) {
                let identity = "\(diagnostic.summary)|\(diagnostic.location.map { "\($0)" } ?? "")"
                if said.insert(identity).inserted { diagnostics.append(diagnostic) }
            }
        }
    }
}
