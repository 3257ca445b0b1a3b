import OCCore

/// A managed file: its content (inline, copied from a source file, or rendered from a template) and mode.
package struct FileSpec: ResourceSpec, Equatable {
    package static let section = "files"

    /// The host the file lives on.
    package var host: String
    /// The file's path; relative paths resolve against the manifest file's folder (local host only).
    package var path: String
    /// Inline content.
    package var content: String?
    /// A local file whose bytes become the content (relative to the manifest file).
    package var source: String?
    /// A local template rendered with the manifest's `${var}` and `${env:NAME}` syntax.
    package var template: String?
    /// The octal mode, for example `0644`.
    package var mode: String
    /// The owning user, if it should be set.
    package var owner: String?
    /// The owning group, if it should be set.
    package var group: String?
    /// Whether the content is a secret (never shown in plans).
    package var sensitive: Bool

    package static let schema = ObjectSchema(
        "A file with managed content and mode",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host the file lives on.", default: "local", update: .replace),
            FieldSchema(
                "path", .string(.path), required: true,
                doc: "The file's path. Relative paths resolve against the folder of the manifest file that declares "
                    + "it (local host only).", update: .replace),
            FieldSchema("content", .string(), doc: "The file's content, inline.", update: .inPlace),
            FieldSchema(
                "source", .string(.path), doc: "A local file whose content is copied (relative to the manifest file).",
                update: .inPlace),
            FieldSchema(
                "template", .string(.path),
                doc: "A local template rendered with `${var}` (manifest vars) and `${env:NAME}` (a secret).",
                update: .inPlace),
            FieldSchema("mode", .string(.fileMode), doc: "The octal file mode.", default: "0644", update: .inPlace),
            FieldSchema(
                "owner", .string(.name), doc: "The owning user (set with chown).", default: "unchanged",
                update: .inPlace),
            FieldSchema(
                "group", .string(.name), doc: "The owning group (set with chown).", default: "unchanged",
                update: .inPlace),
            FieldSchema(
                "sensitive", .boolean, doc: "Treat the whole content as a secret: plans show (sensitive).",
                default: "false"),
        ]
    )

    private enum CodingKeys: String, CodingKey {
        case host, path, content, source, template, mode, owner, group, sensitive
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? "local"
        path = try c.decode(String.self, forKey: .path)
        content = try c.decodeIfPresent(String.self, forKey: .content)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        template = try c.decodeIfPresent(String.self, forKey: .template)
        mode = try c.decodeIfPresent(String.self, forKey: .mode) ?? "0644"
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        sensitive = try c.decodeIfPresent(Bool.self, forKey: .sensitive) ?? false
    }

    package var hostNames: [String] { [host] }

    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let given = [("content", content), ("source", source), ("template", template)].filter { $0.1 != nil }
        if given.count != 1 {
            problems.append(
                context.error(
                    given.isEmpty ? "No content given" : "Only one of content, source and template may be given",
                    detail: "Give the file's content inline (content:), copy a local file (source:) or render a "
                        + "template (template:).", at: given.dropFirst().first?.0 ?? ""))
        }
        if !path.hasPrefix("/"), let hostInfo = context.hosts[host], hostInfo.transport != .local,
            hostInfo.transport != .netns
        {
            problems.append(
                context.error(
                    "Relative path on a remote host", detail: "Paths on host \(host) must be absolute (start with /).",
                    at: "path"))
        }
        if path.hasSuffix("/") {
            problems.append(context.error("Path names a folder", detail: "Give the file's full path.", at: "path"))
        }
        for (key, file) in [("source", source), ("template", template)] {
            guard let file, let problem = context.localFileProblem(file, at: key) else { continue }
            problems.append(
                context.error(
                    "\(key == "source" ? "Source" : "Template") file not found",
                    detail: "\(problem). The \(key) is read on this machine, relative to the manifest file; fix the "
                        + "path or add the file.", at: key))
        }
        return problems
    }

    /// The managed file's path, which apply creates.
    package var createdPaths: [String] { [path] }
}
