import OCCore

extension PodmanCommands {
    /// Every builder above that takes a manifest value, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    package static let argvBuilders: [ArgvBuilder] = {
        typealias Key = PodmanTree.Container
        let container = "containers:\n  \"VALUE\": { image: busybox }\n"
        let network = "networks:\n  \"VALUE\": {}\n"
        let volume = "volumes:\n  \"VALUE\": {}\n"
        let image = "containers:\n  c: { image: \"VALUE\" }\n"
        @Sendable func create(_ tree: Value, name: String = "c") -> [Command] {
            var full = tree
            if full[Key.image].isNull { full[Key.image] = .string("busybox") }
            return [createContainer(name, tree: full, marks: [])]
        }
        return [
            ArgvBuilder("podman create: image", manifest: image) { create([Key.image: .string($0)]) },
            ArgvBuilder("podman create: command") { create([Key.command: .list([.string($0)])]) },
            ArgvBuilder("podman create: name", manifest: container) { create([:], name: $0) },
            ArgvBuilder("podman create: user", manifest: "containers:\n  c: { image: busybox, user: \"VALUE\" }\n") {
                create([Key.user: .string($0)])
            },
            ArgvBuilder(
                "podman create: workdir", manifest: "containers:\n  c: { image: busybox, workdir: \"VALUE\" }\n"
            ) {
                create([Key.workdir: .string($0)])
            },
            ArgvBuilder(
                "podman create: hostname", manifest: "containers:\n  c: { image: busybox, hostname: \"VALUE\" }\n"
            ) {
                create([Key.hostname: .string($0)])
            },
            ArgvBuilder(
                "podman create: groupAdd", manifest: "containers:\n  c: { image: busybox, groupAdd: [\"VALUE\"] }\n"
            ) {
                create([Key.groupAdd: .list([.string($0)])])
            },
            ArgvBuilder(
                "podman create: sysctls",
                manifest: "containers:\n  c: { image: busybox, sysctls: { \"VALUE\": \"1\" } }\n"
            ) {
                create([Key.sysctls: .map([$0: .string("1")])])
            },
            ArgvBuilder(
                "podman create: network",
                manifest: network + "containers:\n  c: { image: busybox, networks: [\"VALUE\"] }\n"
            ) { create([Key.networks: .map([$0: .map([:])]), Key.networkOrder: .list([.string($0)])]) },
            ArgvBuilder("podman network inspect", manifest: network) { [inspectNetworks([$0])] },
            ArgvBuilder("podman network create", manifest: network) { [createNetwork($0, tree: [:], marks: [])] },
            ArgvBuilder("podman network rm", manifest: network) { [removeNetwork($0)] },
            ArgvBuilder("podman network connect: network", manifest: network) {
                [connect(network: $0, container: "c", attachment: [:])]
            },
            ArgvBuilder("podman network connect: container", manifest: container) {
                [connect(network: "n", container: $0, attachment: [:])]
            },
            ArgvBuilder("podman network disconnect: network", manifest: network) {
                [disconnect(network: $0, container: "c")]
            },
            ArgvBuilder("podman network disconnect: container", manifest: container) {
                [disconnect(network: "n", container: $0)]
            },
            ArgvBuilder("podman volume inspect", manifest: volume) { [inspectVolumes([$0])] },
            ArgvBuilder("podman volume create", manifest: volume) { [createVolume($0, tree: [:], marks: [])] },
            ArgvBuilder("podman volume rm", manifest: volume) { [removeVolume($0)] },
            ArgvBuilder("podman container inspect", manifest: container) { [inspectContainers([$0])] },
            ArgvBuilder("podman start", manifest: container) { [start($0)] },
            ArgvBuilder("podman stop", manifest: container) { [stop($0)] },
            ArgvBuilder("podman unpause", manifest: container) { [unpause($0)] },
            ArgvBuilder("podman restart", manifest: container) { [restart($0)] },
            ArgvBuilder("podman rm", manifest: container) { [removeContainer($0)] },
            ArgvBuilder("podman pull", manifest: image) { [pull($0)] },
            ArgvBuilder("podman image rm", manifest: image) { [removeImage($0)] },
            ArgvBuilder(
                "podman build: reference", manifest: "images:\n  i: { reference: \"VALUE\", build: { context: . } }\n"
            ) {
                [build([PodmanTree.Image.reference: .string($0), PodmanTree.Image.build: ["context": "."]])]
            },
            ArgvBuilder(
                "podman build: context", manifest: "images:\n  i: { reference: x, build: { context: \"VALUE\" } }\n"
            ) {
                [build([PodmanTree.Image.reference: "x", PodmanTree.Image.build: ["context": .string($0)]])]
            },
            ArgvBuilder(
                "podman build: file",
                manifest: "images:\n  i: { reference: x, build: { context: ., file: \"VALUE\" } }\n"
            ) {
                [
                    build([
                        PodmanTree.Image.reference: "x", PodmanTree.Image.build: ["context": ".", "file": .string($0)],
                    ])
                ]
            },
            ArgvBuilder(
                "podman build: target",
                manifest: "images:\n  i: { reference: x, build: { context: ., target: \"VALUE\" } }\n"
            ) {
                [
                    build([
                        PodmanTree.Image.reference: "x",
                        PodmanTree.Image.build: ["context": ".", "target": .string($0)],
                    ])
                ]
            },
            ArgvBuilder("podman import: tarball", manifest: "images:\n  i: { reference: x, importFrom: \"VALUE\" }\n") {
                [importImage([PodmanTree.Image.reference: "x", PodmanTree.Image.importFrom: .string($0)])]
            },
            ArgvBuilder(
                "podman import: reference", manifest: "images:\n  i: { reference: \"VALUE\", importFrom: x.tar }\n"
            ) {
                [importImage([PodmanTree.Image.reference: .string($0), PodmanTree.Image.importFrom: "x.tar"])]
            },
        ]
    }()
}
