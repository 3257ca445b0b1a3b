import OCCore

extension AppleContainerCommands {
    /// Every builder that takes a manifest value, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    package static let argvBuilders: [ArgvBuilder] = {
        typealias Key = AppleContainerTree.ContainerKey
        let container = "containers:\n  \"VALUE\": { image: busybox }\n"
        let network = "networks:\n  \"VALUE\": {}\n"
        let ownership = Ownership(stack: "t", address: Address("containers", "c"), tree: [:])
        @Sendable func create(_ tree: Value, name: String = "c") -> [Command] {
            var full = tree
            if full[Key.image].isNull { full[Key.image] = "busybox" }
            return [createContainer(name, tree: full, ownership: ownership)]
        }
        return [
            ArgvBuilder("container run: image", manifest: "containers:\n  c: { image: \"VALUE\" }\n") {
                create([Key.image: .string($0)])
            },
            ArgvBuilder("container run: command") { create([Key.command: .list([.string($0)])]) },
            ArgvBuilder("container run: name", manifest: container) { create([:], name: $0) },
            ArgvBuilder("container run: user", manifest: "containers:\n  c: { image: busybox, user: \"VALUE\" }\n") {
                create([Key.user: .string($0)])
            },
            ArgvBuilder(
                "container run: network",
                manifest: network + "containers:\n  c: { image: busybox, networks: [\"VALUE\"] }\n"
            ) { create([Key.networks: .list([.string($0)])]) },
            ArgvBuilder(
                "container run: env file", manifest: "containers:\n  c: { image: busybox, envFiles: [\"VALUE\"] }\n"
            ) { create([Key.envFiles: .list([.string($0)])]) },
            ArgvBuilder("container network create", manifest: network) {
                [createNetwork($0, tree: [:], ownership: ownership)]
            },
            ArgvBuilder("container network delete", manifest: network) { [deleteNetwork($0)] },
            ArgvBuilder("container start", manifest: container) { [start($0)] },
            ArgvBuilder("container stop", manifest: container) { [stop($0)] },
            ArgvBuilder("container delete", manifest: container) { [delete($0)] },
        ]
    }()
}
