import Foundation

/// Exports the manifest's schema: a JSON Schema for editors and a Markdown reference for the docs.
package enum SchemaExport {
    /// A JSON Schema (draft 2020-12) of a whole manifest, usable by yaml-language-server.
    package static func jsonSchema(_ catalog: SpecCatalog) -> Value {
        var properties: [String: Value] = [
            "version": ["description": "The manifest format version.", "enum": [1, "1"]],
            "stack": ["type": "string", "description": "The stack name; it owns everything it creates."],
            "vars": [
                "type": "object", "description": "Variables used as ${name} in any string.",
                "additionalProperties": schema(of: CoreSchemas.variable),
            ],
            "hosts": [
                "type": "object", "description": "Machines commands run on; `local` always exists.",
                "additionalProperties": schema(of: .object(CoreSchemas.host)),
            ],
        ]
        for section in catalog.types.keys.sorted() {
            guard let type = catalog.types[section] else { continue }
            var object = schema(of: .object(type.schema))
            object["properties"]["dependsOn"] = [
                "type": "array", "items": ["type": "string"],
                "description": "Resource addresses (SECTION.NAME) this one waits for.",
            ]
            if type.schema.field("host") != nil, type.schema.field("hosts") == nil {
                object["properties"]["hosts"] = [
                    "type": "array", "items": ["type": "string"], "minItems": 1, "uniqueItems": true,
                    "description": "Instead of host: one instance per host, addressed SECTION.NAME[HOST].",
                ]
            }
            if type.restartable {
                object["properties"]["restartOn"] = [
                    "type": "array", "items": ["type": "string"],
                    "description": "Resource addresses (SECTION.NAME) whose change restarts this one in place.",
                ]
            }
            if type.isSingleton {
                properties[section] = object
            } else {
                properties[section] = [
                    "type": "object", "description": .string(type.schema.doc + ", keyed by name."),
                    "additionalProperties": object,
                ]
            }
        }
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://ocplan.dev/schema/manifest-v1.json",
            "title": "ocplan manifest v1",
            "type": "object",
            "additionalProperties": false,
            "properties": .map(properties),
        ]
    }

    static func schema(of type: FieldType) -> Value {
        switch type {
        case .string(let format):
            var out: Value = ["type": ["string", "number", "boolean"]]
            if let format { out["description"] = .string("Format: \(format.rawValue).") }
            if format == .name || format == .path {
                // What Formats.argumentProblem refuses: a leading '-' and control characters, so editors flag them.
                out["pattern"] = .string(#"^[^-\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"#)
            }
            return out
        case .integer(let min, let max):
            var out: Value = ["type": ["integer", "string"]]
            if let min { out["minimum"] = .int(min) }
            if let max { out["maximum"] = .int(max) }
            return out
        case .boolean: return ["type": "boolean"]
        case .enumeration(let options): return ["enum": .strings(options)]
        case .list(let element): return ["type": "array", "items": schema(of: element)]
        case .map(let value, _): return ["type": "object", "additionalProperties": schema(of: value)]
        case .object(let object):
            var properties: [String: Value] = [:]
            for field in object.fields {
                var property = schema(of: field.type)
                var description = field.doc
                if let defaultValue = field.defaultValue { description += " Default: \(defaultValue)." }
                if let update = field.update { description += " Changes: \(update.rawValue)." }
                property["description"] = .string(description)
                properties[field.name] = property
            }
            var out: Value = ["type": "object", "description": .string(object.doc), "properties": .map(properties)]
            let required = object.fields.filter(\.required).map(\.name)
            if !required.isEmpty { out["required"] = .strings(required) }
            out["additionalProperties"] = object.additionalKeys.map { schema(of: $0) } ?? false
            return out
        case .oneOf(let options): return ["anyOf": .list(options.map { schema(of: $0) })]
        case .reference(let section):
            return ["type": "string", "description": .string("The name of a \(section) entry.")]
        case .any: return [:]
        }
    }

    /// The Markdown reference of every section and key (docs/manifest.md's generated part).
    package static func markdown(_ catalog: SpecCatalog) -> String {
        var out: [String] = []
        out.append("## `hosts`\n")
        out.append(table(CoreSchemas.host, prefix: ""))
        out.append("## `vars`\n")
        out.append("Each variable is a string (which may use other variables) or a detection object:\n")
        if case .oneOf(let options) = CoreSchemas.variable,
            let object = options.compactMap({ option -> ObjectSchema? in
                if case .object(let o) = option { return o }
                return nil
            }).first
        {
            out.append(table(object, prefix: ""))
        }
        for section in catalog.types.keys.sorted() {
            guard let type = catalog.types[section] else { continue }
            out.append("## `\(section)`\n")
            out.append(
                type.schema.doc
                    + (type.isSingleton ? " (one object for the whole stack)." : ", keyed by resource name.")
                    + (type.isSingleton ? "" : " Address: `\(section).NAME`. Every resource also takes `dependsOn`")
                    + (type.isSingleton
                        ? ""
                        : type.schema.field("host") != nil && type.schema.field("hosts") == nil
                            ? ", and `hosts: [a, b]` instead of `host` (one instance per host, `\(section).NAME[HOST]`)."
                            : ".")
                    + (type.restartable ? " It can be restarted: it also takes `restartOn`." : "")
                    + "\n")
            out.append(table(type.schema, prefix: ""))
            if !type.outputs.isEmpty {
                out.append("Outputs, read by other resources as `${\(section).NAME.OUTPUT}`:\n")
                out.append(
                    type.outputs.map {
                        "- `\($0.keyed ? "\($0.name).KEY" : $0.name)`: \($0.doc)\($0.sensitive ? " Sensitive." : "")"
                    }.joined(separator: "\n") + "\n")
            }
        }
        return out.joined(separator: "\n")
    }

    private static func table(_ object: ObjectSchema, prefix: String) -> String {
        var rows = ["| key | type | required | default | changes | meaning |", "| --- | --- | --- | --- | --- | --- |"]
        var nested: [(String, ObjectSchema)] = []
        for field in object.fields {
            let name = prefix + field.name
            rows.append(
                "| `\(name)` | \(field.type.displayName.replacingOccurrences(of: "|", with: "\\|")) | "
                    + "\(field.required ? "yes" : "") | \(field.defaultValue ?? "") | \(field.update?.rawValue ?? "") | "
                    + "\(field.doc.replacingOccurrences(of: "|", with: "\\|"))\(field.sensitive ? " Sensitive." : "") |"
            )
            collect(field.type, name: name, into: &nested)
        }
        var out = rows.joined(separator: "\n") + "\n"
        for (name, child) in nested {
            out += "\n`\(name)` entries:\n\n" + table(child, prefix: name + ".")
        }
        return out
    }

    private static func collect(_ type: FieldType, name: String, into nested: inout [(String, ObjectSchema)]) {
        switch type {
        case .object(let o): nested.append((name, o))
        case .list(let element): collect(element, name: name + "[]", into: &nested)
        case .map(let value, _): collect(value, name: name + ".NAME", into: &nested)
        case .oneOf(let options): for option in options { collect(option, name: name, into: &nested) }
        default: break
        }
    }
}
