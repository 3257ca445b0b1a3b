import OCCore

/// An image kept present on a host: one entry of the `images` section.
///
/// The image comes from a registry (`pull`), a local build (`build`) or a tarball (`importFrom`). Containers
/// name it by resource name or by reference; image identity is the resolved image ID, so a new ID replaces
/// the containers that use it.
package struct ImageSpec: ResourceSpec, Equatable, Codable {
    /// When to pull the image from its registry.
    package enum PullPolicy: String, Sendable, Hashable, Codable, CaseIterable {
        /// Pull only when no image with the reference is present.
        case missing
        /// Pull on every apply (a moved tag is then a change).
        case always
        /// Never pull; the image must be built, imported or already present.
        case never
    }

    /// How to build the image locally (`podman build`).
    package struct Build: Sendable, Hashable, Codable {
        /// The build context directory, relative to the manifest file.
        package var context: String
        /// The Containerfile, relative to the context.
        package var file: String?
        /// Build arguments (`--build-arg`).
        package var args: [String: String]
        /// The stage to build (`--target`).
        package var target: String?

        /// Creates a build description.
        package init(context: String, file: String? = nil, args: [String: String] = [:], target: String? = nil) {
            self.context = context
            self.file = file
            self.args = args
            self.target = target
        }

        private enum CodingKeys: String, CodingKey {
            case context, file, args, target
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                context: try c.decode(String.self, forKey: .context),
                file: try c.decodeIfPresent(String.self, forKey: .file),
                args: try c.decode(.args, default: [:]),
                target: try c.decodeIfPresent(String.self, forKey: .target)
            )
        }
    }

    package static let section = "images"

    /// The host whose runtime stores the image.
    package var host: String
    /// The image name (`docker.io/headscale/headscale:0.26`, `localhost/openclaw:dev`).
    package var reference: String
    /// When to pull (for `build`: when to pull base images).
    package var pull: PullPolicy
    /// Build it locally instead of pulling.
    package var build: Build?
    /// Import it from a root file system tarball (`podman import`) instead of pulling.
    package var importFrom: String?

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local", reference: String, pull: PullPolicy = .missing, build: Build? = nil,
        importFrom: String? = nil
    ) {
        self.host = host
        self.reference = reference
        self.pull = pull
        self.build = build
        self.importFrom = importFrom
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, reference, pull, build, importFrom
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            reference: try c.decode(String.self, forKey: .reference),
            pull: try c.decode(.pull, default: .missing),
            build: try c.decodeIfPresent(Build.self, forKey: .build),
            importFrom: try c.decodeIfPresent(String.self, forKey: .importFrom)
        )
    }

    // MARK: - Schema

    /// The keys of an `images` entry.
    package static let schema = ObjectSchema(
        "An image kept present on a host, pulled, built or imported.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host whose Podman stores the image.", default: "local",
                update: .replace),
            FieldSchema(
                "reference", .string(), required: true,
                doc: "The image name with tag or digest (`docker.io/headscale/headscale:0.26`).", update: .replace),
            FieldSchema(
                "pull", .enumeration(PullPolicy.allCases.map(\.rawValue)),
                doc: "When to pull: when missing, on every apply, or never (an image that is not on the host is then "
                    + "a plan error, which says how to provide it). With `build`, applies to base images.",
                default: "missing", update: .inPlace),
            FieldSchema(
                "build", .object(buildSchema), doc: "Build the image locally with `podman build`.",
                default: "pull from the registry", update: .replace),
            FieldSchema(
                "importFrom", .string(.path),
                doc: "A root file system tarball to import with `podman import`, relative to the manifest file.",
                default: "pull from the registry", update: .replace),
        ]
    )

    /// The keys of `build`.
    static let buildSchema = ObjectSchema(
        "A local image build.",
        fields: [
            FieldSchema(
                "context", .string(.path), required: true,
                doc: "The build context directory, relative to the manifest file.",
                update: .replace),
            FieldSchema(
                "file", .string(.path), doc: "The Containerfile, relative to the context.",
                default: "Containerfile or Dockerfile",
                update: .replace),
            FieldSchema("args", .stringMap, doc: "Build arguments (`--build-arg`).", default: "{}", update: .replace),
            FieldSchema(
                "target", .string(.name), doc: "The build stage to produce.", default: "the last stage",
                update: .replace),
        ]
    )

    // MARK: - Validation

    /// Checks the reference, the source combination and duplicates on the host.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let problem = ImageReferenceText.problem(reference) {
            diagnostics.append(
                context.error(
                    "Invalid image reference",
                    detail: "`\(reference)` \(problem). Write a reference such as docker.io/library/alpine:3.20.",
                    at: "reference"))
        }
        if build != nil, importFrom != nil {
            diagnostics.append(
                context.error(
                    "build and importFrom are exclusive",
                    detail: "An image is either built or loaded from a tarball. Keep one of `build` and `importFrom`.",
                    at: "importFrom"))
        }
        if importFrom != nil, pull == .always {
            diagnostics.append(
                context.error(
                    "pull: always would replace the imported image",
                    detail: "Pulling on every apply overwrites the image loaded from `importFrom`. Use `pull: never` "
                        + "or `missing`.",
                    at: "pull"))
        }
        for (address, other) in context.others(ImageSpec.self, on: host) where other.reference == reference {
            diagnostics.append(
                context.error(
                    "Image reference declared twice",
                    detail: "\(address) also manages `\(reference)` on host \(host). Keep one of them.",
                    at: "reference"))
        }
        return diagnostics
    }
}
