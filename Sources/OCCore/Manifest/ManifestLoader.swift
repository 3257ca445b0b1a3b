import Foundation
import Yams

/// The spec types of every manifest section, as assembled by the composition root.
package struct SpecCatalog: Sendable {
    /// Spec types by section name.
    package var types: [String: any ResourceSpec.Type]

    /// Creates a catalog from spec types.
    package init(_ types: [any ResourceSpec.Type]) {
        var map: [String: any ResourceSpec.Type] = [:]
        for type in types { map[type.section] = type }
        self.types = map
    }

    /// Every section a manifest may contain, core sections first.
    package var allSections: [String] { CoreSchemas.coreSections + types.keys.sorted() }

    /// The resource that must exist before commands can reach `host` (its VM or container), as the spec types
    /// say (``ResourceSpec/backingName(for:)``); `nil` for a host on this machine or over ssh.
    package func backingResource(of host: Host) -> Address? {
        for section in types.keys.sorted() {
            if let type = types[section], let name = type.backingName(for: host) { return Address(section, name) }
        }
        return nil
    }
}

/// Loads a manifest from files or directories and validates it, collecting every problem.
///
/// The steps: parse each YAML file with locations; merge sections across files (the same address twice
/// is an error naming both places); resolve `vars` (detections run on their host when a detector is
/// given); expand `${…}` everywhere; check each resource against its schema; decode its spec; resolve
/// references and `dependsOn`; run each spec's own validation; build the dependency graph and report
/// cycles.
package struct ManifestLoader: Sendable {
    /// The section → spec type catalog.
    package var catalog: SpecCatalog
    /// The environment `${env:NAME}` reads.
    package var environment: [String: String]
    /// Whether an unset `${env:NAME}` is an error; `ocplan validate` passes `false` (values are not needed
    /// to check a manifest, as in CI without secrets).
    package var requireEnvironment: Bool

    /// Creates a loader.
    package init(
        catalog: SpecCatalog,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        requireEnvironment: Bool = true
    ) {
        self.catalog = catalog
        self.environment = environment
        self.requireEnvironment = requireEnvironment
    }

    struct Located<T> {
        var value: T
        var location: SourceLocation
        var file: String
    }

    /// One resource entry as the parse phase found it.
    struct ResourceNode {
        var address: Address
        var node: SourceNode
        /// Where the resource's name is written.
        var keyLocation: SourceLocation
        var file: String
    }

    /// What the parse-and-merge phase found across all files.
    struct Parsed {
        var version: Located<String>?
        var stack: Located<String>?
        var varNodes: [String: Located<SourceNode>]
        var varOrder: [String]
        var hostNodes: [String: Located<SourceNode>]
        var hostOrder: [String]
        var resourceNodes: [ResourceNode]
        /// A file could not be read or parsed (it may hold `version` and `stack`: their absence is then no news).
        var unreadFiles: Bool
    }

    /// What the variables and hosts phase resolved.
    struct Settings {
        var hosts: [String: Host]
        /// Hosts that are declared but invalid (already reported): naming them is no news.
        var brokenHosts: Set<String> = []
        var variables: [String: String]
        /// The secrets the hosts read from the environment.
        var secrets: Set<String>
    }

    /// An address written in a resource (`dependsOn`, `restartOn`), with where it is written.
    typealias LocatedAddress = (Address, SourceLocation)

    /// One declaration after schema checking and decoding, before the graph is built.
    struct Prepared {
        /// One of the instances the declaration expands into.
        struct Instance {
            var address: Address
            var spec: any ResourceSpec
            var host: String
            /// Keys of instances of the same declaration this one waits for.
            var siblings: [String]
            var probe: (any ResourceSpec)?
            /// Where the instance is written (its entry under `hosts:`, else the resource's key).
            var location: SourceLocation
        }

        var address: Address
        /// The node after interpolation, without the engine's keys.
        var node: SourceNode
        /// The node as written (before interpolation).
        var raw: SourceNode
        var keyLocation: SourceLocation
        var file: String
        var refs: [SchemaChecker.FoundReference]
        var dependsOn: [LocatedAddress]
        var restartOn: [LocatedAddress]
        var sensitive: Bool
        var instances: [Instance]
        /// `${SECTION.NAME.OUTPUT}` references, as written.
        var outputs: [(expression: String, location: SourceLocation, keyPath: String)]
        /// Fields left out because they are invalid (the spec decoded without them); empty for a valid resource.
        var leftOut: Set<String> = []
    }

    /// What the declarations phase made of the resources: each declaration expanded into its instances.
    struct Declared {
        var prepared: [Prepared]
        /// Resources that are declared but could not be decoded (already reported): references to them are no
        /// news.
        var undecoded: Set<Address>
        /// The secrets the resources read from the environment.
        var secrets: Set<String>
    }

    /// What the references phase built: the instances with their edges, and the graph.
    struct Linked {
        var declarations: [ResourceDeclaration]
        var graph: DependencyGraph
        /// Where each edge is written, for cycle reports.
        var edgeLocations: [Address: [Address: SourceLocation]]
        /// The declarations (not instances) of the manifest.
        var declared: Set<Address>
        /// Every instance's spec, by instance address.
        var specs: [Address: any ResourceSpec]
        var outputReferences: [String: OutputReference]
    }

    /// Loads and validates.
    ///
    /// The phases, each returning a record: ``parse(_:diagnostics:)`` (files read and sections merged),
    /// ``checkHeader(_:files:diagnostics:)`` (`version`, `stack`), ``settle(_:overrides:detector:diagnostics:)``
    /// (variables, hosts, detections), ``declare(_:settings:diagnostics:)`` (each resource interpolated,
    /// schema-checked, decoded and expanded into instances), ``link(_:settings:diagnostics:)`` (references,
    /// `dependsOn`, outputs and host backing as edges), then cycles and each spec's own validation.
    ///
    /// - Parameters:
    ///   - paths: manifest files, or directories whose `*.yaml`/`*.yml` files form one manifest.
    ///   - detector: resolves `{ detect: … }` variables; `nil` (as in `ocplan validate`) leaves a placeholder.
    ///   - overrides: `--var NAME=VALUE` values that replace declared variables.
    /// - Returns: the manifest when there are no errors, and all diagnostics (warnings included).
    package func load(
        _ paths: [String],
        detector: (any FactDetector)? = nil,
        overrides: [String: String] = [:]
    ) async -> (Manifest?, Diagnostics) {
        var diagnostics = Diagnostics()
        let files = manifestFiles(paths, diagnostics: &diagnostics)
        let parsed = parse(files, diagnostics: &diagnostics)
        checkHeader(parsed, files: files, diagnostics: &diagnostics)
        let settings = await settle(parsed, overrides: overrides, detector: detector, diagnostics: &diagnostics)
        let declared = declare(parsed.resourceNodes, settings: settings, diagnostics: &diagnostics)
        let linked = link(declared, settings: settings, diagnostics: &diagnostics)
        reportCycles(linked, diagnostics: &diagnostics)
        validateSpecs(linked, declared: declared, hosts: settings.hosts, diagnostics: &diagnostics)
        let secrets = declared.secrets.union(settings.secrets)
        diagnostics.redact(secrets)
        guard !diagnostics.hasErrors, let stack = parsed.stack else { return (nil, diagnostics) }
        var manifest = Manifest(
            version: 1, stack: stack.value, hosts: settings.hosts, variables: settings.variables,
            resources: linked.declarations, graph: linked.graph, secrets: secrets, files: files,
            warnings: diagnostics.warnings)
        manifest.outputReferences = linked.outputReferences
        for (name, host) in settings.hosts {
            if let backing = catalog.backingResource(of: host), linked.declared.contains(backing) {
                manifest.backing[name] = backing
            }
        }
        return (manifest, diagnostics)
    }

    /// The `version` and `stack` checks: present (unless a file could not be read), version 1, a valid name.
    private func checkHeader(_ parsed: Parsed, files: [String], diagnostics: inout Diagnostics) {
        let (version, stack, unreadFiles) = (parsed.version, parsed.stack, parsed.unreadFiles)
        if let version, version.value != "1" {
            diagnostics.append(
                .error(
                    "Unsupported manifest version '\(version.value)'",
                    detail: "This ocplan reads version 1. Write `version: 1`.", at: version.location,
                    keyPath: "version"))
        } else if version == nil, !files.isEmpty, !unreadFiles {
            diagnostics.append(
                .error(
                    "Missing 'version'", detail: "Add `version: 1` to one of the manifest files.",
                    at: files.first.map { SourceLocation(file: $0, line: 1, column: 1) }))
        }
        if stack == nil, !files.isEmpty, !unreadFiles {
            diagnostics.append(
                .error(
                    "Missing 'stack'",
                    detail: "Add `stack: NAME` to one of the manifest files; the stack owns everything it creates.",
                    at: files.first.map { SourceLocation(file: $0, line: 1, column: 1) }))
        } else if let stack, let problem = Self.nameProblem(stack.value) {
            diagnostics.append(.error("Invalid stack name '\(stack.value)'", detail: problem, at: stack.location))
        }
    }

    // MARK: - Helpers

    /// The variables and hosts phase: plain variables first (hosts may use them), then the hosts, then the
    /// detections on their hosts, then every variable.
    func settle(
        _ parsed: Parsed, overrides: [String: String], detector: (any FactDetector)?, diagnostics: inout Diagnostics
    ) async -> Settings {
        let (varNodes, varOrder, hostNodes, hostOrder) = (
            parsed.varNodes, parsed.varOrder, parsed.hostNodes, parsed.hostOrder
        )
        // MARK: variables (plain ones first; hosts may use them)
        var rawVars: [String: (text: String?, detect: String?, host: String, location: SourceLocation)] = [:]
        for name in varOrder {
            guard let located = varNodes[name] else { continue }
            var checker = SchemaChecker(basePath: "vars.\(name)")
            checker.check(located.value, CoreSchemas.variable, path: "")
            diagnostics.append(contentsOf: checker.diagnostics)
            if let text = located.value.scalar {
                rawVars[name] = (text, nil, "local", located.value.location)
            } else if let detect = located.value["detect"]?.scalar {
                rawVars[name] = (nil, detect, located.value["host"]?.scalar ?? "local", located.value.location)
            }
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let existing = rawVars[name] else {
                diagnostics.append(
                    .error(
                        "--var names undeclared variable '\(name)'\(NearMiss.hint(for: name, among: rawVars.keys))",
                        detail: "Declare it under vars: in the manifest; --var only replaces declared values."))
                continue
            }
            rawVars[name] = (value, nil, "local", existing.location)
        }
        let plainVars = resolveVariables(rawVars, detected: [:], diagnostics: &diagnostics)

        // MARK: hosts
        var hosts: [String: Host] = ["local": .local]
        var brokenHosts = Set<String>()
        var plainInterpolator = Interpolator(
            variables: plainVars, environment: environment, requireEnvironment: requireEnvironment)
        for name in hostOrder {
            guard let located = hostNodes[name] else { continue }
            let (node, _) = plainInterpolator.expand(located.value, keyPath: "hosts.\(name)")
            var checker = SchemaChecker(basePath: "hosts.\(name)")
            checker.check(node, against: CoreSchemas.host)
            diagnostics.append(contentsOf: checker.diagnostics)
            if checker.diagnostics.isEmpty, let host = makeHost(name, node, diagnostics: &diagnostics) {
                hosts[name] = host
            } else {
                brokenHosts.insert(name)
            }
        }
        diagnostics.append(contentsOf: plainInterpolator.diagnostics)

        // MARK: detections, then all variables
        var detected: [String: String] = [:]
        for name in varOrder {
            guard let raw = rawVars[name], let fact = raw.detect else { continue }
            guard let host = hosts[raw.host] else {
                if brokenHosts.contains(raw.host) { continue }
                diagnostics.append(
                    .error(
                        "Unknown host '\(raw.host)'\(NearMiss.hint(for: raw.host, among: hosts.keys))",
                        detail: "Declare it under hosts:.", at: raw.location, keyPath: "vars.\(name).host"))
                continue
            }
            guard let detector else {
                detected[name] = "<\(name): \(fact) of \(raw.host), detected at plan time>"
                continue
            }
            do {
                detected[name] = try await detector.detect(fact, on: host)
            } catch {
                diagnostics.append(
                    .error(
                        "Cannot detect \(fact) on host '\(raw.host)' for variable '\(name)'",
                        detail: "\(error)", at: raw.location, keyPath: "vars.\(name)"))
            }
        }
        let variables = resolveVariables(rawVars, detected: detected, diagnostics: &diagnostics, report: false)
        return Settings(
            hosts: hosts, brokenHosts: brokenHosts, variables: variables, secrets: plainInterpolator.secrets)
    }

    /// The parse-and-merge phase: every file read and parsed with locations, its sections merged (the same
    /// address, variable or host twice is an error naming both places).
    func parse(_ files: [String], diagnostics: inout Diagnostics) -> Parsed {
        var version: Located<String>?
        var stack: Located<String>?
        var varNodes: [String: Located<SourceNode>] = [:]
        var varOrder: [String] = []
        var hostNodes: [String: Located<SourceNode>] = [:]
        var hostOrder: [String] = []
        var resourceNodes: [ResourceNode] = []
        var addressPlaces: [Address: SourceLocation] = [:]

        // A file that cannot be read or parsed may hold `version` and `stack`; their absence is then no news.
        var unreadFiles = false
        for file in files {
            guard let text = readText(file, diagnostics: &diagnostics) else {
                unreadFiles = true
                continue
            }
            let (root, parseDiagnostics) = SourceNode.parse(text, file: file)
            diagnostics.append(contentsOf: parseDiagnostics)
            guard let root else {
                unreadFiles = unreadFiles || parseDiagnostics.contains { $0.severity == .error }
                continue
            }
            guard let entries = root.entries else {
                diagnostics.append(
                    .error(
                        "A manifest file must be a mapping of sections", detail: "Start with `version: 1`.",
                        at: root.location))
                continue
            }
            for entry in entries {
                let place = entry.keyLocation
                switch entry.key {
                case "version", "stack":
                    guard let text = entry.value.scalar, !text.isEmpty else {
                        diagnostics.append(.error("'\(entry.key)' must be a string", at: place, keyPath: entry.key))
                        continue
                    }
                    let located = Located(value: text, location: entry.value.location, file: file)
                    let existing = entry.key == "version" ? version : stack
                    if let existing, existing.value != text {
                        diagnostics.append(
                            .error(
                                "Conflicting \(entry.key) '\(text)'",
                                detail: "\(existing.location) says '\(existing.value)'. All files of a manifest "
                                    + "must agree.", at: entry.value.location, keyPath: entry.key))
                    } else if existing == nil {
                        if entry.key == "version" { version = located } else { stack = located }
                    }
                case "vars", "hosts":
                    guard let items = entry.value.entries else {
                        if !entry.value.isNull {
                            diagnostics.append(
                                .error("'\(entry.key)' must be a mapping of names", at: place, keyPath: entry.key))
                        }
                        continue
                    }
                    for item in items {
                        let located = Located(value: item.value, location: item.keyLocation, file: file)
                        if let problem = Formats.argumentProblem(item.key) {
                            diagnostics.append(
                                .error(
                                    "Invalid \(entry.key == "vars" ? "variable" : "host") name",
                                    detail: problem.prefix(1).uppercased() + problem.dropFirst() + ".",
                                    at: item.keyLocation, keyPath: "\(entry.key).\(item.key)"))
                            continue
                        }
                        if entry.key == "vars" {
                            if let first = varNodes[item.key] {
                                diagnostics.append(duplicate("vars.\(item.key)", item.keyLocation, first.location))
                            } else {
                                varNodes[item.key] = located
                                varOrder.append(item.key)
                            }
                        } else {
                            if let first = hostNodes[item.key] {
                                diagnostics.append(duplicate("hosts.\(item.key)", item.keyLocation, first.location))
                            } else {
                                hostNodes[item.key] = located
                                hostOrder.append(item.key)
                            }
                        }
                    }
                default:
                    guard let type = catalog.types[entry.key] else {
                        let hint = NearMiss.hint(for: entry.key, among: catalog.allSections)
                        diagnostics.append(
                            .error(
                                "Unknown section '\(entry.key)'\(hint)",
                                detail: "Sections: " + catalog.allSections.joined(separator: ", ") + ".",
                                at: place, keyPath: entry.key))
                        continue
                    }
                    if type.isSingleton {
                        if entry.value.isNull { continue }
                        let address = Address(entry.key, "")
                        if let first = addressPlaces[address] {
                            diagnostics.append(duplicate(entry.key, place, first))
                            continue
                        }
                        addressPlaces[address] = place
                        resourceNodes.append(
                            ResourceNode(address: address, node: entry.value, keyLocation: place, file: file))
                        continue
                    }
                    guard let items = entry.value.entries else {
                        if !entry.value.isNull {
                            diagnostics.append(
                                .error(
                                    "Section '\(entry.key)' must map resource names to their settings",
                                    detail: "Write `\(entry.key):` followed by `  NAME: { … }` entries.",
                                    at: entry.value.location, keyPath: entry.key))
                        }
                        continue
                    }
                    for item in items {
                        let address = Address(entry.key, item.key)
                        if let problem = Self.nameProblem(item.key) {
                            diagnostics.append(
                                .error(
                                    "Invalid resource name '\(item.key)'", detail: problem, at: item.keyLocation,
                                    keyPath: address.description))
                            continue
                        }
                        if let first = addressPlaces[address] {
                            diagnostics.append(duplicate(address.description, item.keyLocation, first))
                            continue
                        }
                        addressPlaces[address] = item.keyLocation
                        resourceNodes.append(
                            ResourceNode(address: address, node: item.value, keyLocation: item.keyLocation, file: file))
                    }
                }
            }
        }
        return Parsed(
            version: version, stack: stack, varNodes: varNodes, varOrder: varOrder, hostNodes: hostNodes,
            hostOrder: hostOrder, resourceNodes: resourceNodes, unreadFiles: unreadFiles)
    }

    /// Unique to this run: the tokens of a sensitivity probe cannot occur in real values.
    private static let probeNonce = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    /// The hosts of a resource's `hosts: [a, b]`, or `nil` when the key is absent.
    ///
    /// Only for a section whose schema has one `host` (and no `hosts` of its own): the declaration becomes one
    /// instance per host, `ADDRESS[HOST]`.
    static func hostList(
        in node: SourceNode, type: any ResourceSpec.Type, base: String, diagnostics: inout Diagnostics
    ) -> [(name: String, location: SourceLocation)]? {
        guard type.schema.field("hosts") == nil, type.schema.field("host") != nil, let list = node["hosts"] else {
            return nil
        }
        let keyPath = base + ".hosts"
        if node["host"] != nil {
            diagnostics.append(
                .error(
                    "Both 'host' and 'hosts' are set", detail: "Write one host with host:, or several with hosts:.",
                    at: list.location, keyPath: keyPath))
        }
        guard let elements = list.elements, !elements.isEmpty else {
            diagnostics.append(
                .error(
                    "'hosts' must be a non-empty list of host names", detail: "For example hosts: [mac, oc-exit].",
                    at: list.location, keyPath: keyPath))
            return []
        }
        var hosts: [(name: String, location: SourceLocation)] = []
        for (index, element) in elements.enumerated() {
            guard let name = element.scalar, nameProblem(name) == nil else {
                diagnostics.append(
                    .error(
                        "Invalid host name '\(element.scalar ?? element.kindName)' in 'hosts'",
                        detail: "Each entry names a host declared under hosts:.", at: element.location,
                        keyPath: "\(keyPath)[\(index)]"))
                continue
            }
            if hosts.contains(where: { $0.name == name }) {
                diagnostics.append(
                    .error(
                        "Host '\(name)' is listed twice in 'hosts'", at: element.location,
                        keyPath: "\(keyPath)[\(index)]"))
                continue
            }
            hosts.append((name, element.location))
        }
        return hosts
    }

    /// The output a `${SECTION.NAME.OUTPUT}` reference names (`NAME` may hold dots, and `NAME[KEY]` names one
    /// instance), or `nil` after a located error with a suggestion.
    static func outputReference(
        _ expression: String, declared instances: [Address: [Address]], catalog: SpecCatalog,
        at location: SourceLocation,
        keyPath: String, diagnostics: inout Diagnostics
    ) -> OutputReference? {
        func fail(_ summary: String, _ detail: String) -> OutputReference? {
            diagnostics.append(.error(summary, detail: detail, at: location, keyPath: keyPath))
            return nil
        }
        let section = String(expression.prefix { $0 != "." })
        let rest = expression.dropFirst(section.count + 1)
        guard let type = catalog.types[section] else { return nil }
        let names = instances.keys.filter { $0.section == section }.map(\.name).sorted { $0.count > $1.count }
        guard
            let name = names.first(where: {
                rest.hasPrefix($0) && [".", "["].contains(rest.dropFirst($0.count).first.map(String.init) ?? "")
            })
        else {
            let written = String(rest.prefix { $0 != "." && $0 != "[" })
            return fail(
                "Reference to undeclared \(section) resource '\(written)' in '${\(expression)}'"
                    + NearMiss.hint(for: written, among: names),
                "Write ${\(section).NAME.OUTPUT} with NAME a declared resource of \(section).")
        }
        var tail = rest.dropFirst(name.count)
        var key: String?
        if tail.first == "[" {
            guard let close = tail.firstIndex(of: "]") else {
                return fail("Unclosed '[' in '${\(expression)}'", "Write NAME[KEY] to name one instance.")
            }
            key = String(tail[tail.index(after: tail.startIndex)..<close])
            tail = tail[tail.index(after: close)...]
        }
        let base = Address(section, name)
        let known = instances[base] ?? [base]
        let producer = key.map { base.instance($0) } ?? base
        if key != nil, !known.contains(producer) {
            return fail(
                "\(base) has no instance '\(key ?? "")'"
                    + NearMiss.hint(for: producer.description, among: known.map(\.description)),
                "Its instances: \(known.map(\.description).joined(separator: ", ")).")
        }
        if key == nil, known.count > 1 {
            return fail(
                "\(base) has \(known.count) instances; '${\(expression)}' must name one",
                "Write one of " + known.map { "${\($0).…}" }.joined(separator: ", ") + ".")
        }
        let path =
            tail.hasPrefix(".")
            ? tail.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init) : []
        let outputs = type.outputs
        let list =
            outputs.isEmpty ? "none" : outputs.map { $0.keyed ? "\($0.name).KEY" : $0.name }.joined(separator: ", ")
        guard let first = path.first, let field = outputs.first(where: { $0.name == first }) else {
            return fail(
                "\(section) resources have no output '\(path.first ?? "")'"
                    + NearMiss.hint(for: path.first ?? "", among: outputs.map(\.name)),
                "Outputs of \(section): \(list).")
        }
        guard path.count == (field.keyed ? 2 : 1), !path.contains("") else {
            return fail(
                "Output '\(field.name)' of \(section) is written \(field.keyed ? "\(field.name).KEY" : field.name)",
                "\(field.doc)")
        }
        return OutputReference(
            producer: known.count == 1 ? known[0] : producer, path: path, token: OutputReference.token(for: expression),
            sensitive: field.sensitive)
    }

    /// `node` without `hosts`, and with `host: HOST` when `host` is given (one instance of `hosts: [...]`).
    static func placed(_ node: SourceNode, on host: String?) -> SourceNode {
        guard let host, let entries = node.entries else { return node }
        var kept = entries.filter { $0.key != "hosts" && $0.key != "host" }
        let location = node["hosts"]?.location ?? node.location
        kept.append(
            SourceNode.Entry(
                key: "host", keyLocation: location, value: SourceNode(.scalar(host, plain: true), at: location)))
        return SourceNode(.mapping(kept), at: node.location)
    }

    /// The environment of a sensitivity probe: each variable's value replaced by a token of plain letters and
    /// digits (so that most fields still decode), a different one per variable.
    package static func probeEnvironment(_ environment: [String: String]) -> [String: String] {
        var tokens: [String: String] = [:]
        for (index, name) in environment.keys.sorted().enumerated() {
            tokens[name] = "ocplanprobe\(probeNonce)n\(index)"
        }
        return tokens
    }

    /// The spec of a resource decoded with every `${env:…}` value replaced by its token (see
    /// ``ResourceDeclaration/sensitivityProbe``); `nil` when it does not decode.
    static func sensitivityProbe(
        _ node: SourceNode, type: any ResourceSpec.Type, variables: [String: String],
        tokens: [String: String], keyPath: String, host: String? = nil, outputSections: Set<String>,
        decoder: YAMLDecoder
    ) -> (any ResourceSpec)? {
        var probe = Interpolator(variables: variables, environment: tokens, requireEnvironment: false)
        probe.outputSections = outputSections
        let (expanded, _) = probe.expand(node, keyPath: keyPath)
        return try? decoder.decode(type, from: placed(specNode(expanded), on: host).yamsNode())
    }

    /// A resource's node as its spec decodes it: without the engine's keys (``CoreSchemas/engineKeys``:
    /// `dependsOn`, `restartOn`), and an empty mapping for an empty resource.
    static func specNode(_ node: SourceNode) -> SourceNode {
        if let entries = node.entries, CoreSchemas.engineKeys.contains(where: { node[$0] != nil }) {
            return SourceNode(.mapping(entries.filter { !CoreSchemas.engineKeys.contains($0.key) }), at: node.location)
        }
        return node.isNull ? SourceNode(.mapping([]), at: node.location) : node
    }

    /// A cycle's path for a summary line (`a → b → a`); a long one is shortened in the middle and counted.
    static func cyclePath(_ names: [String]) -> String {
        guard names.count > 12 else { return names.joined(separator: " → ") }
        let shown = names.prefix(5) + ["…"] + names.suffix(2)
        return shown.joined(separator: " → ") + " (\(names.count - 1) in the cycle)"
    }

    /// Why a resource or stack name is not acceptable, or `nil`.
    static func nameProblem(_ name: String) -> String? {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first),
            name.unicodeScalars.allSatisfy({ allowed.contains($0) }), name.count <= 63
        else {
            return "Names start with a letter or digit and use only letters, digits, '-', '_' and '.' "
                + "(at most 63 characters)."
        }
        return nil
    }

    private func duplicate(_ what: String, _ location: SourceLocation, _ first: SourceLocation) -> Diagnostic {
        .error(
            "Duplicate '\(what)'",
            detail: "It is also declared at \(first). Each address may be declared once across all files; "
                + "rename or remove one.", at: location, keyPath: what)
    }

    private func manifestFiles(_ paths: [String], diagnostics: inout Diagnostics) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(
                    .error(
                        "Manifest path '\(path)' does not exist", detail: "Pass a manifest file or directory.",
                        at: SourceLocation(file: path)))
                continue
            }
            if isDirectory.boolValue {
                let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
                let yaml = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
                files += yaml.sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0).relativePath }
                    .map { path == "." ? String($0.drop { $0 == "." || $0 == "/" }) : $0 }
            } else {
                files.append(path)
            }
        }
        if files.isEmpty && !diagnostics.hasErrors {
            diagnostics.append(
                .error(
                    "No manifest files found",
                    detail: "Looked in \(paths.joined(separator: ", ")) for *.yaml and *.yml files. "
                        + "Pass a manifest file or a directory that holds one.",
                    at: paths.first.map { SourceLocation(file: $0) }))
        }
        return files
    }

    private func readText(_ file: String, diagnostics: inout Diagnostics) -> String? {
        let data: Data
        do {
            data = try LocalFile.readRegular(path: file)
        } catch {
            diagnostics.append(
                .error(
                    "Cannot read manifest file '\(file)'",
                    detail: "It \(error.problem). Pass manifest files (regular files) or directories that hold them.",
                    at: SourceLocation(file: file)))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(
                .error("Manifest file '\(file)' is not UTF-8 text", at: SourceLocation(file: file, line: 1, column: 1)))
            return nil
        }
        return text
    }

    private func makeHost(_ name: String, _ node: SourceNode, diagnostics: inout Diagnostics) -> Host? {
        guard let transport = node["transport"]?.scalar.flatMap(Host.Transport.init(rawValue:)) else { return nil }
        let need: [Host.Transport: String] = [
            .multipass: "vm", .podmanExec: "container", .netns: "namespace", .ssh: "address",
        ]
        if let key = need[transport], node[key]?.scalar == nil {
            diagnostics.append(
                .error(
                    "Host '\(name)' with transport \(transport.rawValue) needs '\(key)'", at: node.location,
                    keyPath: "hosts.\(name)"))
            return nil
        }
        return Host(
            name: name, transport: transport, vm: node["vm"]?.scalar, container: node["container"]?.scalar,
            namespace: node["namespace"]?.scalar, address: node["address"]?.scalar, user: node["user"]?.scalar,
            port: node["port"]?.scalar.flatMap { Int($0) },
            become: node["become"]?.scalar.flatMap(Host.Become.init(rawValue:)),
            os: node["os"]?.scalar.flatMap(Host.OS.init(rawValue:)))
    }

    /// Resolves variables that use other variables, reporting unknown names and cycles (``VariableResolver``).
    private func resolveVariables(
        _ raw: [String: (text: String?, detect: String?, host: String, location: SourceLocation)],
        detected: [String: String],
        diagnostics: inout Diagnostics,
        report: Bool = true
    ) -> [String: String] {
        let resolver = VariableResolver(
            raw: raw.mapValues { VariableResolver.Raw(text: $0.text, location: $0.location) })
        let (resolved, found) = resolver.resolve(detected: detected)
        if report { diagnostics.append(contentsOf: found) }
        return resolved
    }

    func decodingDiagnostic(_ error: any Error, node: SourceNode, base: String) -> Diagnostic {
        var path: [any CodingKey] = []
        var message = "\(error)"
        if let error = error as? DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                path = context.codingPath
                message = context.debugDescription
            @unknown default: break
            }
        }
        let keyPath = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        let relative = keyPath.hasPrefix(".") ? String(keyPath.dropFirst()) : keyPath
        return .error(
            "Invalid value: \(message)", at: node.valueLocation(of: relative),
            keyPath: relative.isEmpty ? base : base + (relative.hasPrefix("[") ? "" : ".") + relative)
    }
}
