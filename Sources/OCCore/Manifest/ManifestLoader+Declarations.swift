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
        var undecoded = Set<Address>()
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
            var checker = SchemaChecker(basePath: base, engineKeys: Self.engineKeys(of: type))
            checker.check(Self.placed(node, on: placement?.first?.name), against: type.schema)
            diagnostics.append(contentsOf: checker.diagnostics)
            // `hosts: [a, b]` on a section whose resources have one `host`: one instance per host.
            let hostsOfInstances: [(name: String, location: SourceLocation)?] = placement.map { $0.map { $0 } } ?? [nil]
            let (specs, leftOut) = decode(
                node, as: type, on: hostsOfInstances.map { $0?.name }, base: base, refused: checker.diagnostics,
                decoder: decoder, diagnostics: &diagnostics)
            guard let specs else {
                undecoded.insert(item.address)
                continue
            }
            var instances: [Prepared.Instance] = []
            for (host, spec) in zip(hostsOfInstances, specs) {
                var probe: (any ResourceSpec)?
                if sensitive, leftOut.isEmpty {
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
                    sensitive: sensitive, instances: instances, outputs: outputs, leftOut: leftOut))
        }
        diagnostics.append(contentsOf: interpolator.diagnostics)
        return Declared(prepared: prepared, undecoded: undecoded, secrets: interpolator.secrets)
    }

    /// Decodes a resource's spec once per host, leaving out the fields that are invalid so that the rest is still
    /// decoded and validated: one run reports every mistake.
    ///
    /// The fields the schema refused are left out first; a field that then fails to decode is reported and left
    /// out in turn, until the spec decodes. A problem of the resource as a whole (a missing required key) ends
    /// the attempt.
    ///
    /// - Parameters:
    ///   - node: the resource's node, without the engine's keys.
    ///   - type: its spec type.
    ///   - hosts: the host of each instance (`nil`: the resource's own `host`).
    ///   - base: its address, for key paths.
    ///   - refused: the schema checker's diagnostics (already reported).
    ///   - decoder: the decoder.
    ///   - diagnostics: where decoding problems go.
    /// - Returns: one spec per host (`nil` when it cannot be decoded) and the fields left out.
    func decode(
        _ node: SourceNode, as type: any ResourceSpec.Type, on hosts: [String?], base: String, refused: [Diagnostic],
        decoder: YAMLDecoder, diagnostics: inout Diagnostics
    ) -> (specs: [any ResourceSpec]?, leftOut: Set<String>) {
        var leftOut = Set<String>()
        for diagnostic in refused {
            guard let key = Self.field(of: diagnostic.keyPath, base: base) else { return (nil, leftOut) }
            leftOut.insert(key)
        }
        while true {
            let decodable = Self.node(node, without: leftOut)
            do {
                let specs = try hosts.map { try decoder.decode(type, from: Self.placed(decodable, on: $0).yamsNode()) }
                return (specs, leftOut)
            } catch {
                let diagnostic = decodingDiagnostic(error, node: node, base: base)
                guard let key = Self.field(of: diagnostic.keyPath, base: base), !leftOut.contains(key) else {
                    // A problem of the resource as a whole, or one the schema already reported.
                    if leftOut.isEmpty { diagnostics.append(diagnostic) }
                    return (nil, leftOut)
                }
                diagnostics.append(diagnostic)
                leftOut.insert(key)
            }
        }
    }

    /// Each spec's own validation, once per instance; a problem several instances share is said once.
    func validateSpecs(_ linked: Linked, declared: Declared, hosts: [String: Host], diagnostics: inout Diagnostics) {
        var rawNodes: [Address: SourceNode] = [:]
        var leftOut: [Address: Set<String>] = [:]
        for item in declared.prepared {
            rawNodes[item.address] = item.raw
            if !item.leftOut.isEmpty { leftOut[item.address] = item.leftOut }
        }
        var created: [String: Set<String>] = [:]
        for declaration in linked.declarations {
            for path in declaration.spec.createdPaths {
                created[declaration.host, default: []].insert(declaration.resolvePath(path))
            }
        }
        var said = Set<String>()
        for declaration in linked.declarations {
            let node = declaration.node
            let raw = rawNodes[declaration.address.resource]
            var context = ValidationContext(
                address: declaration.address, hosts: hosts, specs: linked.specs,
                locate: { node.valueLocation(of: $0) }, written: { raw?.node(at: $0)?.scalar })
            context.baseDirectory = declaration.baseDirectory
            context.createdPaths = created
            let base = declaration.address.resource.description
            for diagnostic in declaration.spec.validate(in: context) {
                // A spec decoded without some fields says only what it finds at the fields it has: a check of
                // the whole resource could be about a field left out.
                if let missing = leftOut[declaration.address.resource] {
                    guard let key = Self.field(of: diagnostic.keyPath, base: base), !missing.contains(key) else {
                        continue
                    }
                }
                let identity = "\(diagnostic.summary)|\(diagnostic.location.map { "\($0)" } ?? "")"
                if said.insert(identity).inserted { diagnostics.append(diagnostic) }
            }
        }
    }

    /// The top-level field a key path below `base` names (`dns` for `containers.web.dns[0]`), or `nil` for the
    /// resource itself.
    static func field(of keyPath: String?, base: String) -> String? {
        guard let keyPath, keyPath.hasPrefix(base + "."), keyPath.count > base.count + 1 else { return nil }
        guard case .key(let key) = ValuePath(String(keyPath.dropFirst(base.count + 1))).components.first else {
            return nil
        }
        return key
    }

    /// `node` without the top-level entries named in `keys`.
    static func node(_ node: SourceNode, without keys: Set<String>) -> SourceNode {
        guard !keys.isEmpty, let entries = node.entries else { return node }
        return SourceNode(.mapping(entries.filter { !keys.contains($0.key) }), at: node.location)
    }

    /// The keys the engine takes on every resource of `type` besides its schema's, for "Known keys here" and
    /// suggestions: ``CoreSchemas/engineKeys``, and `hosts` where one declaration may name several hosts.
    static func engineKeys(of type: any ResourceSpec.Type) -> [String] {
        let hosts = type.schema.field("hosts") == nil && type.schema.field("host") != nil ? ["hosts"] : []
        return CoreSchemas.engineKeys + hosts
    }
}
