import Foundation
import Yams

/// A YAML node with its source location, in a form that is `Sendable` and easy to walk.
package struct SourceNode: Sendable, Hashable {
    /// A mapping entry: the key (a scalar) and its value.
    package struct Entry: Sendable, Hashable {
        /// The key text.
        package var key: String
        /// Where the key is written.
        package var keyLocation: SourceLocation
        /// The value.
        package var value: SourceNode
    }

    /// The node's content.
    package enum Kind: Sendable, Hashable {
        /// A scalar; `plain` is false for quoted and block scalars (which are always strings).
        case scalar(String, plain: Bool)
        /// A mapping in source order.
        case mapping([Entry])
        /// A sequence.
        case sequence([SourceNode])
    }

    /// The content.
    package var kind: Kind
    /// Where the node starts.
    package var location: SourceLocation

    /// Creates a node.
    package init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The scalar text, if this is a scalar.
    package var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// Whether this is a plain `null`/`~`/empty scalar.
    package var isNull: Bool {
        if case .scalar(let s, plain: true) = kind { return s.isEmpty || s == "~" || s == "null" || s == "Null" }
        return false
    }

    /// The entries, if this is a mapping.
    package var entries: [Entry]? {
        if case .mapping(let e) = kind { return e }
        return nil
    }

    /// The elements, if this is a sequence.
    package var elements: [SourceNode]? {
        if case .sequence(let e) = kind { return e }
        return nil
    }

    /// The value for `key` in a mapping.
    package subscript(key: String) -> SourceNode? { entries?.first { $0.key == key }?.value }

    /// A short name of the node's kind for messages.
    package var kindName: String {
        switch kind {
        case .scalar: return isNull ? "null" : "scalar"
        case .mapping: return "mapping"
        case .sequence: return "list"
        }
    }

    /// The location of a dotted/bracketed key path below this node (`ports[0]`, `env.HTTP_PROXY`);
    /// the deepest existing node is used when the path runs out.
    package func location(of keyPath: String) -> SourceLocation {
        var node = self
        var location = self.location
        for component in ValuePath(keyPath).components {
            switch component {
            case .key(let key):
                guard let entry = node.entries?.first(where: { $0.key == key }) else { return location }
                location = entry.keyLocation
                node = entry.value
            case .index(let i):
                guard let elements = node.elements, elements.indices.contains(i) else { return location }
                node = elements[i]
                location = node.location
            }
        }
        return location
    }

    /// Where the value at a key path is written when it is a scalar (so a problem with `cpus: lots` points at
    /// `lots`); else as ``location(of:)`` (the key of a list or mapping, or the deepest existing node).
    package func valueLocation(of keyPath: String) -> SourceLocation {
        if let value = node(at: keyPath), value.scalar != nil, !keyPath.isEmpty { return value.location }
        return location(of: keyPath)
    }

    /// The node at a dotted/bracketed key path below this node, or `nil` when the path does not exist.
    package func node(at keyPath: String) -> SourceNode? {
        var node = self
        for component in ValuePath(keyPath).components {
            switch component {
            case .key(let key):
                guard let entry = node.entries?.first(where: { $0.key == key }) else { return nil }
                node = entry.value
            case .index(let i):
                guard let elements = node.elements, elements.indices.contains(i) else { return nil }
                node = elements[i]
            }
        }
        return node
    }

    // MARK: - Parsing

    /// Parses YAML text into a node tree, reporting syntax errors and duplicate keys.
    ///
    /// Aliases are expanded here, within ``ManifestLimits`` (nodes and bytes they add, nesting depth);
    /// past a limit the file is refused with one error at the place the walk reached.
    ///
    /// - Returns: the root node (`nil` for an empty document or one with errors) and the diagnostics found.
    package static func parse(_ text: String, file: String) -> (SourceNode?, [Diagnostic]) {
        var root: Node?
        var text = text
        var renamed = Set<String>()
        var duplicates: [Diagnostic] = []
        // Yams stops at the first mapping with a duplicate key; each round renames that mapping's later
        // occurrences (reported) and reads on, so one run reports every duplicate of the file.
        while true {
            do {
                // The rule-less resolver: tags are not needed here (a scalar's text is kept as written), and the
                // default resolver runs regular expressions on every key when Yams checks for duplicate keys.
                root = try Yams.compose(yaml: text, Self.resolver)
                break
            } catch YamlError.duplicatedKeysInMapping(let names, let context) {
                guard renamed.count < ManifestLimits.maximumDuplicateKeys,
                    let repair = repairDuplicates(
                        in: text, names: names, line: context.mark.line, column: context.mark.column, file: file,
                        serial: renamed.count)
                else {
                    return (
                        nil,
                        duplicates + [
                            syntaxDiagnostic(.duplicatedKeysInMapping(duplicates: names, context: context), file: file)
                        ]
                    )
                }
                text = repair.text
                renamed.formUnion(repair.renamed)
                duplicates += repair.diagnostics
            } catch let error as YamlError {
                return (nil, duplicates + [syntaxDiagnostic(error, file: file)])
            } catch {
                return (
                    nil,
                    duplicates + [
                        .error(
                            "Cannot parse YAML", detail: "\(error)", at: SourceLocation(file: file, line: 1, column: 1))
                    ]
                )
            }
        }
        guard let root else { return (nil, duplicates) }
        let written = text.utf8.count
        var converter = Converter(
            file: file, nodesLeft: ManifestLimits.maximumAliasNodes + written,
            bytesLeft: ManifestLimits.maximumAliasBytes + written)
        converter.diagnostics = duplicates
        converter.renamed = renamed
        let node = converter.convert(root, depth: 0)
        if converter.failed {
            // The walk stopped early, so the Yams tree may be deeper than any stack: aliases of aliases nest
            // without limit, and freeing a tree recurses as deep as it is (100,000 levels crash). It is kept
            // until the process ends instead; it is no larger than its text, and only refused files do this.
            _ = Unmanaged.passRetained(Kept(root))
            return (nil, converter.diagnostics)
        }
        return (node, converter.diagnostics)
    }

    /// Holds a Yams tree that must never be freed (see ``parse(_:file:)``).
    private final class Kept {
        let node: Node
        init(_ node: Node) { self.node = node }
    }

    private static func syntaxDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return .error(
                "Duplicate key \(keys) in one mapping",
                detail: "Each key may appear once per mapping; keep one of them. (The rest of this file is checked "
                    + "after this is fixed.)",
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let place = SourceLocation(file: file, line: mark.line, column: mark.column)
            if problem.hasPrefix("Maximum nesting level reached") {
                return depthDiagnostic(at: place, keyPath: nil)
            }
            let summary = "YAML syntax error: " + problem
            return .error(summary, detail: context.map { contextSentence($0, file: file) }, at: place)
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = offset.map { lineAndColumn(ofCharacter: $0, in: yaml) } ?? (1, 1)
            return .error(
                "YAML syntax error: " + problem,
                detail: "Remove the character or write it as an escape in a double-quoted string (\"\\t\", "
                    + "\"\\u0001\").",
                at: SourceLocation(file: file, line: line, column: column))
        default:
            return .error("YAML syntax error", detail: "\(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// libyaml's context (`while parsing a block mapping`) as a sentence naming where that construct starts.
    private static func contextSentence(_ context: YamlError.Context, file: String) -> String {
        var text = context.text
        if let first = text.first { text = first.uppercased() + text.dropFirst() }
        return text + " that starts at \(context.mark.line):\(context.mark.column)."
    }

    /// The 1-based line and column (counted in Unicode scalars, as Yams marks are) of the character at
    /// `offset` characters from the start of `text`.
    static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(max(0, offset)) {
            if character == "\n" || character == "\r\n" || character == "\r" {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }

    private static func depthDiagnostic(at location: SourceLocation, keyPath: String?) -> Diagnostic {
        .error(
            "YAML nested too deeply",
            detail: "A manifest may nest lists and mappings at most \(ManifestLimits.maximumDepth) levels deep "
                + "(an alias counts as the nesting it repeats). Flatten this value.", at: location, keyPath: keyPath)
    }

    private static func location(_ mark: Mark?, file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Turns a composed Yams tree into ``SourceNode``s, counting what aliases add.
    ///
    /// Yams composes an alias as the anchored node itself (shared, not copied), so a document of a few lines
    /// can stand for billions of nodes; they only come into being here. Every node and scalar byte is
    /// counted against a budget of what the text holds plus ``ManifestLimits/maximumAliasNodes`` and
    /// ``ManifestLimits/maximumAliasBytes``, and the depth against ``ManifestLimits/maximumDepth``; the
    /// recursion is therefore bounded too.
    private struct Converter {
        let file: String
        var nodesLeft: Int
        var bytesLeft: Int
        var diagnostics: [Diagnostic] = []
        var failed = false
        var path: [ValuePath.Component] = []
        /// Duplicate keys renamed while parsing (already reported): their entries are left out.
        var renamed: Set<String> = []

        init(file: String, nodesLeft: Int, bytesLeft: Int) {
            self.file = file
            self.nodesLeft = nodesLeft
            self.bytesLeft = bytesLeft
        }

        /// The key path reached, its first eight steps only (a path 256 levels deep helps nobody).
        var keyPath: String? {
            guard !path.isEmpty else { return nil }
            let shown = ValuePath(Array(path.prefix(8))).description
            return path.count > 8 ? shown + "…" : shown
        }

        mutating func refuse(_ diagnostic: Diagnostic) -> SourceNode? {
            failed = true
            diagnostics.append(diagnostic)
            return nil
        }

        mutating func convert(_ node: Node, depth: Int) -> SourceNode? {
            let here = SourceNode.location(node.mark, file: file)
            nodesLeft -= 1
            if nodesLeft < 0 {
                return refuse(
                    .error(
                        "Aliases expand this file past \(ManifestLimits.maximumAliasNodes) extra nodes",
                        detail: "Each use of an alias (*name) repeats the whole anchored node; aliases of aliases "
                            + "multiply. Use fewer or smaller aliases.", at: here, keyPath: keyPath))
            }
            if depth > ManifestLimits.maximumDepth {
                return refuse(SourceNode.depthDiagnostic(at: here, keyPath: keyPath))
            }
            switch node {
            case .scalar(let scalar):
                bytesLeft -= scalar.string.utf8.count
                if bytesLeft < 0 {
                    let mebibytes = ManifestLimits.maximumAliasBytes / (1024 * 1024)
                    return refuse(
                        .error(
                            "Aliases expand this file past \(mebibytes) MiB of extra text",
                            detail: "Each use of an alias (*name) repeats the whole anchored node; aliases of "
                                + "aliases multiply. Use fewer or smaller aliases.", at: here, keyPath: keyPath))
                }
                let plain = scalar.style == .plain || scalar.style == .any
                return SourceNode(
                    .scalar(scalar.string, plain: plain && scalar.tag.description != "tag:yaml.org,2002:str"),
                    at: here)
            case .alias:
                return SourceNode(.scalar("", plain: true), at: here)
            case .sequence(let sequence):
                var elements: [SourceNode] = []
                elements.reserveCapacity(sequence.count)
                for (index, element) in sequence.enumerated() {
                    path.append(.index(index))
                    defer { path.removeLast() }
                    guard let converted = convert(element, depth: depth + 1) else { return nil }
                    elements.append(converted)
                }
                return SourceNode(.sequence(elements), at: here)
            case .mapping(let mapping):
                var entries: [Entry] = []
                entries.reserveCapacity(mapping.count)
                for (key, value) in mapping {
                    let keyLocation = SourceNode.location(key.mark, file: file)
                    guard let keyText = key.scalar?.string else {
                        diagnostics.append(.error("Mapping keys must be plain text", at: keyLocation, keyPath: keyPath))
                        continue
                    }
                    if renamed.contains(keyText) { continue }
                    path.append(.key(keyText))
                    defer { path.removeLast() }
                    guard let converted = convert(value, depth: depth + 1) else { return nil }
                    entries.append(Entry(key: keyText, keyLocation: keyLocation, value: converted))
                }
                return SourceNode(.mapping(entries), at: here)
            }
        }
    }

    // MARK: - Back to Yams for decoding

    /// Converts back to a Yams node so a `Decodable` spec can be decoded with `YAMLDecoder`.
    ///
    /// Every tag carries Yams' rule-less resolver: decoding never looks at an implicit tag's resolution
    /// (each scalar type parses the text itself), but the default resolver would run its regular
    /// expressions on every key comparison, which was most of the time spent validating a large manifest.
    func yamsNode() -> Node {
        // One constructor for the whole tree: `Constructor.default` builds a new one (and its tables) per call.
        yamsNode(Constructor.default)
    }

    private func yamsNode(_ constructor: Constructor) -> Node {
        func tag(_ name: Tag.Name) -> Tag { Tag(name, Self.resolver, constructor) }
        switch kind {
        case .scalar(let s, let plain):
            return .scalar(Node.Scalar(s, tag(plain ? .implicit : .str), plain ? .plain : .doubleQuoted))
        case .sequence(let elements):
            return .sequence(Node.Sequence(elements.map { $0.yamsNode(constructor) }, tag(.implicit)))
        case .mapping(let entries):
            return .mapping(
                Node.Mapping(
                    entries.map { (Node.scalar(Node.Scalar($0.key, tag(.str))), $0.value.yamsNode(constructor)) },
                    tag(.implicit)))
        }
    }

    /// A resolver without rules: implicit tags resolve to `str` without a regular expression.
    private static let resolver = Resolver.basic
}
