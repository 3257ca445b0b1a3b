/// Schemas of the sections the core owns: `hosts` and `vars`.
package enum CoreSchemas {
    /// The sections every manifest may have besides the resource sections.
    package static let coreSections = ["version", "stack", "vars", "hosts"]

    /// The keys every resource takes besides its spec's, handled by the engine: `dependsOn` (waits for other
    /// resources) and `restartOn` (restarted when they change; also waits for them).
    package static let engineKeys = ["dependsOn", "restartOn"]

    /// One host entry.
    package static let host = ObjectSchema(
        "A machine commands run on and how they reach it",
        fields: [
            FieldSchema(
                "transport", .enumeration(Host.Transport.allCases.map(\.rawValue)), required: true,
                doc: "How commands reach the host: local, ssh, multipass (exec in a VM), podman-exec (exec in a "
                    + "container) or netns (a Linux network namespace)."),
            FieldSchema("vm", .string(.name), doc: "The Multipass VM name (transport multipass)."),
            FieldSchema("container", .string(.name), doc: "The container name (transport podman-exec)."),
            FieldSchema("namespace", .string(.name), doc: "The network namespace name (transport netns)."),
            FieldSchema("address", .string(.name), doc: "The host name or address to connect to (transport ssh)."),
            FieldSchema("user", .string(.name), doc: "The login user (transport ssh).", default: "ssh's default"),
            FieldSchema("port", .port, doc: "The SSH port (transport ssh).", default: "22"),
            FieldSchema(
                "become", .enumeration(Host.Become.allCases.map(\.rawValue)),
                doc: "Run every command through `sudo -n` (never prompts; a needed password is an error).",
                default: "none"),
            FieldSchema(
                "os", .enumeration(Host.OS.allCases.map(\.rawValue)),
                doc: "The host's operating system, which picks the commands providers use.",
                default: "this machine's OS for local and netns, linux otherwise"),
        ]
    )

    /// One variable: a string (which may use other variables) or a detection.
    package static let variable = FieldType.oneOf([
        .string(),
        .object(
            ObjectSchema(
                "A value found on a host at plan time",
                fields: [
                    FieldSchema(
                        "detect", .enumeration(["default-route"]), required: true,
                        doc: "What to detect: default-route is the interface of the default route "
                            + "(`ip -j route` on Linux, `route -n get default` on macOS)."),
                    FieldSchema(
                        "host", .reference("hosts"), doc: "The host to detect it on.", default: "local"),
                ]
            )),
    ])
}
