/// One argv builder fed with one manifest value, for the option-injection test.
///
/// Each family lists its builders beside them (`PodmanCommands.argvBuilders`, `FilesCommands.argvBuilders`,
/// `Transport.argvBuilders`, …). `ArgvInjectionTests` feeds every entry values that start with `-` and checks that
/// each such value either appears only after a `--` in the argv, or is refused by validation of ``manifest``.
/// A new builder that takes a manifest value gets a line in its family's list.
package struct ArgvBuilder: Sendable {
    /// The builder and the value it takes (`podman create: image`).
    package var name: String
    /// Manifest sections (YAML, without `version` and `stack`) in which ``placeholder`` stands for the value.
    ///
    /// Validation must refuse them when the value is not placed after `--`; `nil` when `--` alone protects it.
    package var manifest: String?
    /// Builds the commands with `value` where the manifest value goes.
    package var build: @Sendable (_ value: String) -> [Command]

    /// The text in ``manifest`` that the value replaces.
    package static let placeholder = "VALUE"

    /// Creates an entry.
    package init(_ name: String, manifest: String? = nil, build: @escaping @Sendable (_ value: String) -> [Command]) {
        self.name = name
        self.manifest = manifest
        self.build = build
    }
}
