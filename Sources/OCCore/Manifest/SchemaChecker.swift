import Foundation

/// Checks a resource's YAML node against its ``ObjectSchema`` and collects every problem.
///
/// It also collects the `.reference` values it meets, which become dependency edges.
struct SchemaChecker {
    /// A reference found while checking.
    struct FoundReference {
        var section: String
        var name: String
        var keyPath: String
        var location: SourceLocation
    }

    var diagnostics: [Diagnostic] = []
    var references: [FoundReference] = []
    let basePath: String
    /// Keys the engine takes beside the schema's at the top level (`dependsOn`, `restartOn`, `hosts`): named in
    /// "Known keys here" and suggested for a misspelling.
    let engineKeys: [String]

    init(basePath: String, engineKeys: [String] = []) {
        self.basePath = basePath
        self.engineKeys = engineKeys
    }

    mutating func check(_ node: SourceNode, against schema: ObjectSchema) {
        checkObject(node, schema, path: "")
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }
    private func full(_ path: String) -> String {
        path.isEmpty ? basePath : (path.hasPrefix("[") ? basePath + path : basePath + "." + path)
    }

    private mutating func fail(_ summary: String, _ detail: String? = nil, at node: SourceNode, _ path: String) {
        diagnostics.append(.error(summary, detail: detail, at: node.location, keyPath: full(path)))
    }

    private mutating func checkObject(_ node: SourceNode, _ schema: ObjectSchema, path: String) {
        guard let entries = node.entries else {
            if node.isNull, !schema.fields.contains(where: \.required) { return }
            fail(
                "Expected a mapping, found a \(node.kindName)", "This key takes an object (\(schema.doc)).", at: node,
                path)
            return
        }
        let known = schema.fields.map(\.name) + (path.isEmpty ? engineKeys : [])
        for entry in entries {
            let entryPath = join(path, entry.key)
            if let field = schema.field(entry.key) {
                if entry.value.isNull, !field.required { continue }
                check(entry.value, field.type, path: entryPath)
            } else if let extra = schema.additionalKeys {
                check(entry.value, extra, path: entryPath)
            } else {
                let hint = NearMiss.keyHint(for: entry.key, among: known)
                diagnostics.append(
                    .error(
                        "Unknown key '\(entry.key)'\(hint)",
                        detail: "Known keys here: " + known.joined(separator: ", ") + ".",
                        at: entry.keyLocation,
                        keyPath: full(entryPath)
                    )
                )
            }
        }
        for field in schema.fields where field.required {
            if node[field.name] == nil || node[field.name]?.isNull == true {
                fail("Missing required key '\(field.name)'", field.doc, at: node, path)
            }
        }
    }

    /// Whether `node` fits `type` without reporting anything (for `.oneOf`).
    private func fits(_ node: SourceNode, _ type: FieldType) -> Bool {
        var probe = SchemaChecker(basePath: basePath, engineKeys: engineKeys)
        probe.check(node, type, path: "")
        return probe.diagnostics.isEmpty
    }

    private func shapeFits(_ node: SourceNode, _ type: FieldType) -> Bool {
        switch (type, node.kind) {
        case (.list, .sequence), (.map, .mapping), (.object, .mapping), (.any, _): return true
        case (.string, .scalar), (.integer, .scalar), (.boolean, .scalar), (.enumeration, .scalar),
            (.reference, .scalar):
            return true
        case (.oneOf(let options), _): return options.contains { shapeFits(node, $0) }
        default: return false
        }
    }

    mutating func check(_ node: SourceNode, _ type: FieldType, path: String) {
        switch type {
        case .any:
            return
        case .string(let format):
            guard let text = node.scalar else {
                return fail("Expected a \(type.displayName), found a \(node.kindName)", at: node, path)
            }
            if let format, let problem = Self.problem(text, format) {
                fail("Invalid \(format.rawValue): \(problem)", at: node, path)
            }
        case .integer(let min, let max):
            guard let text = node.scalar, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
                return fail("Expected an integer, found '\(node.scalar ?? node.kindName)'", at: node, path)
            }
            if let min, value < min { fail("Value \(value) is below the minimum \(min)", at: node, path) }
            if let max, value > max { fail("Value \(value) is above the maximum \(max)", at: node, path) }
        case .boolean:
            guard let text = node.scalar, ["true", "false", "True", "False", "TRUE", "FALSE"].contains(text) else {
                return fail(
                    "Expected true or false, found '\(node.scalar ?? node.kindName)'",
                    "Write true or false (YAML 1.1 forms such as yes/no/on/off are not accepted).",
                    at: node,
                    path
                )
            }
        case .enumeration(let options):
            guard let text = node.scalar, options.contains(text) else {
                let found = node.scalar ?? node.kindName
                let hint = NearMiss.hint(for: found, among: options)
                return fail(
                    "Invalid value '\(found)'\(hint)",
                    "Use one of: " + options.joined(separator: ", ") + ".",
                    at: node,
                    path
                )
            }
        case .list(let element):
            guard let elements = node.elements else {
                return fail(
                    "Expected a list, found a \(node.kindName)", "Write a YAML list, e.g. [a, b].", at: node, path)
            }
            for (i, child) in elements.enumerated() { check(child, element, path: path + "[\(i)]") }
        case .map(let valueType, let keysReference):
            guard let entries = node.entries else {
                return fail("Expected a mapping, found a \(node.kindName)", at: node, path)
            }
            for entry in entries {
                if let problem = Formats.argumentProblem(entry.key, what: "key") {
                    diagnostics.append(
                        .error(
                            "Invalid key: \(problem)", at: entry.keyLocation, keyPath: full(join(path, entry.key))))
                    continue
                }
                if let section = keysReference {
                    references.append(
                        FoundReference(
                            section: section, name: entry.key, keyPath: full(join(path, entry.key)),
                            location: entry.keyLocation))
                }
                if entry.value.isNull { continue }
                check(entry.value, valueType, path: join(path, entry.key))
            }
        case .object(let schema):
            checkObject(node, schema, path: path)
        case .oneOf(let options):
            if let match = options.first(where: { fits(node, $0) }) {
                check(node, match, path: path)
            } else if let shaped = options.first(where: { shapeFits(node, $0) }) {
                check(node, shaped, path: path)
            } else {
                fail("Expected a \(type.displayName), found a \(node.kindName)", at: node, path)
            }
        case .reference(let section):
            guard let name = node.scalar, !name.isEmpty else {
                return fail("Expected a \(type.displayName), found a \(node.kindName)", at: node, path)
            }
            if let problem = Formats.argumentProblem(name) { return fail("Invalid name: \(problem)", at: node, path) }
            references.append(
                FoundReference(section: section, name: name, keyPath: full(path), location: node.location))
        }
    }

    static func problem(_ text: String, _ format: StringFormat) -> String? {
        switch format {
        case .cidr: return Formats.cidrProblem(text)
        case .ipAddress: return Formats.isIPAddress(text) ? nil : "'\(text)' is not an IPv4 or IPv6 address"
        case .fileMode: return Formats.isFileMode(text) ? nil : "'\(text)' is not an octal mode such as 0644"
        case .size: return Formats.bytes(text) == nil ? "'\(text)' is not a size such as 512M or 2G" : nil
        case .duration: return Formats.seconds(text) == nil ? "'\(text)' is not a duration such as 30s or 5m" : nil
        case .address:
            return Address(parsing: text) == nil ? "'\(text)' is not a resource address such as containers.web" : nil
        case .portMapping:
            if case .failure(let problem) = Formats.portMapping(text) { return problem.message }
            return nil
        case .url:
            guard let url = URL(string: text), let scheme = url.scheme, !scheme.isEmpty, url.host != nil else {
                return "'\(text)' is not a URL such as https://127.0.0.1:8080"
            }
            return nil
        case .name: return Formats.argumentProblem(text, what: "name")
        case .path: return Formats.argumentProblem(text, what: "path")
        }
    }
}
