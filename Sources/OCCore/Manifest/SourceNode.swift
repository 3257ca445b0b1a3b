import Foundation
import Yams

/// A YAML node with its source location, in a form that is `Sendable` and easy to walk.
public struct SourceNode: Sendable, Hashable {
    /// A mapping entry: the key (a scalar) and its value.
    public struct Entry: Sendable, Hashable {
        /// The key text.
        public var key: String
        /// Where the key is written.
        public var keyLocation: SourceLocation
        /// The value.
        public var value: SourceNode
    }

    /// The node's content.
    public enum Kind: Sendable, Hashable {
        /// A scalar; `plain` is false for quoted and block scalars (which are always strings).
        case scalar(String, plain: Bool)
        /// A mapping in source order.
        case mapping([Entry])
        /// A sequence.
        case sequence([SourceNode])
    }

    /// The content.
    public var kind: Kind
    /// Where the node starts.
    public var location: SourceLocation

    /// Creates a node.
    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// The scalar text, if this is a scalar.
    public var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// Whether this is a plain `null`/`~`/empty scalar.
    public var isNull: Bool {
        if case .scalar(let s, plain: true) = kind { return s.isEmpty || s == "~" || s == "null" || s == "Null" }
        return false
    }

    /// The entries, if this is a mapping.
    public var entries: [Entry]? {
        if case .mapping(let e) = kind { return e }
        return nil
    }

    /// The elements, if this is a sequence.
    public var elements: [SourceNode]? {
        if case .sequence(let e) = kind { return e }
        return nil
    }

    /// The value for `key` in a mapping.
    public subscript(key: String) -> SourceNode? { entries?.first { $0.key == key }?.value }

    /// A short name of the node's kind for messages.
    public var kindName: String {
        switch kind {
        case .scalar: return isNull ? "null" : "scalar"
        case .mapping: return "mapping"
        case .sequence: return "list"
        }
    }

    /// The location of a dotted/bracketed key path below this node (`ports[0]`, `env.HTTP_PROXY`);
    /// the deepest existing node is used when the path runs out.
    public func location(of keyPath: String) -> SourceLocation {
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

    /// The node at a dotted/bracketed key path below this node, or `nil` when the path does not exist.
    public func node(at keyPath: String) -> SourceNode? {
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
    /// - Returns: the root node (`nil` for an empty document) and the diagnostics found.
    public static func parse(_ text: String, file: String) -> (SourceNode?, [Diagnostic]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return (nil, [syntaxDiagnostic(error, file: file)])
        } catch {
            return (
                nil,
                [.error("Cannot parse YAML", detail: "\(error)", at: SourceLocation(file: file, line: 1, column: 1))]
            )
        }
        guard let root else { return (nil, []) }
        var diagnostics: [Diagnostic] = []
        let node = convert(root, file: file, diagnostics: &diagnostics)
        return (node, diagnostics)
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
            let summary = "YAML syntax error: " + problem
            return .error(summary, detail: context.map { "While \($0.text)." }, at: place)
        default:
            return .error("YAML syntax error", detail: "\(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    private static func location(_ mark: Mark?, file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, diagnostics: inout [Diagnostic]) -> SourceNode {
        let here = location(node.mark, file: file)
        switch node {
        case .scalar(let scalar):
            let plain = scalar.style == .plain || scalar.style == .any
            return SourceNode(
                .scalar(scalar.string, plain: plain && scalar.tag.description != "tag:yaml.org,2002:str"), at: here)
        case .alias:
            return SourceNode(.scalar("", plain: true), at: here)
        case .sequence(let sequence):
            return SourceNode(.sequence(sequence.map { convert($0, file: file, diagnostics: &diagnostics) }), at: here)
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                let keyLocation = location(key.mark, file: file)
                guard let keyText = key.scalar?.string else {
                    diagnostics.append(.error("Mapping keys must be plain text", at: keyLocation))
                    continue
                }
                entries.append(
                    Entry(
                        key: keyText, keyLocation: keyLocation,
                        value: convert(value, file: file, diagnostics: &diagnostics))
                )
            }
            return SourceNode(.mapping(entries), at: here)
        }
    }

    // MARK: - Back to Yams for decoding

    /// Converts back to a Yams node so a `Decodable` spec can be decoded with `YAMLDecoder`.
    func yamsNode() -> Node {
        switch kind {
        case .scalar(let s, let plain):
            return .scalar(Node.Scalar(s, plain ? .implicit : Tag(.str), plain ? .plain : .doubleQuoted))
        case .sequence(let elements):
            return .sequence(Node.Sequence(elements.map { $0.yamsNode() }))
        case .mapping(let entries):
            return .mapping(Node.Mapping(entries.map { (Node.scalar(Node.Scalar($0.key)), $0.value.yamsNode()) }))
        }
    }
}
