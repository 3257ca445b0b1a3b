import Foundation
import OCContainerModel
import OCCore

/// Manages Podman networks, volumes, images and containers.
///
/// Every network, volume and container the provider creates carries ownership labels (``PodmanLabels``);
/// an object with the stack's label is the stack's, one without it (or with another stack's) is reported and
/// never touched. Observation is batched per host: one list call per kind filtered by the stack label, one
/// `inspect` of every requested name per kind, one `podman images` and one `podman image inspect`
/// (docs/providers/podman.md lists them). Containers change in place only for `state` (`podman start`/`stop`)
/// and `networks` (`podman network connect`/`disconnect`); every other change replaces them, as it does
/// networks. Volumes are never deleted unless a destroy plan deletes a volume whose spec says
/// `deleteData: true`.
package struct PodmanProvider: Provider {
    /// The provider's name in plans and the state journal: `podman`.
    package let name = "podman"
    /// The sections it manages: `networks`, `containers`, `volumes`, `images`.
    package let sections = [NetworkSpec.section, ContainerSpec.section, VolumeSpec.section, ImageSpec.section]

    /// Creates the provider.
    package init() {}

    /// Containers and networks whose `runtime` is `podman`; every volume and image.
    package func manages(_ declaration: ResourceDeclaration) -> Bool {
        switch declaration.spec {
        case let network as NetworkSpec: return network.runtime == .podman
        case let container as ContainerSpec: return container.runtime == .podman
        default: return sections.contains(declaration.address.section)
        }
    }

    /// Which paths replace, which are ignored, for each section.
    package func schema(for section: String) -> ResourceSchema {
        switch section {
        case NetworkSpec.section:
            typealias Key = PodmanTree.Network
            return ResourceSchema(
                replaceOn: [
                    Key.owner, Key.driver, Key.isInternal, Key.subnet, Key.gateway, Key.ipRange, Key.ipv6,
                    Key.ipv6Subnet, Key.dns,
                    Key.labels, Key.options,
                ].map { PathPattern($0) })
        case VolumeSpec.section:
            typealias Key = PodmanTree.Volume
            return ResourceSchema(replaceOn: [Key.driver, Key.options, Key.labels].map { PathPattern($0) })
        case ImageSpec.section:
            typealias Key = PodmanTree.Image
            return ResourceSchema(
                replaceOn: [Key.reference, Key.source, Key.buildHash, Key.importHash].map { PathPattern($0) },
                ignored: [PathPattern(Key.build), PathPattern(Key.importFrom)])
        default:
            typealias Key = PodmanTree.Container
            return ResourceSchema(
                replaceOn: [
                    Key.owner, Key.image, Key.imageCurrent, Key.command, Key.entrypoint, Key.env, Key.networkMode,
                    Key.ports, Key.addHosts, Key.capAdd, Key.capDrop, Key.readOnly, Key.user, Key.volumes, Key.tmpfs,
                    Key.restart, Key.labels, Key.healthcheck, Key.securityOpt, Key.workdir, Key.dns, Key.memory,
                    Key.cpus, Key.ulimits, Key.privileged, Key.hostname, Key.stopSignal, Key.stopTimeout, Key.tty,
                    Key.shmSize, Key.pidsLimit, Key.groupAdd, Key.sysctls,
                ].map { PathPattern($0) },
                ignored: [PathPattern(Key.networkOrder)],
                replacedWith: [NetworkSpec.section, VolumeSpec.section, ImageSpec.section],
                memberships: [PathPattern(Key.networks)])
        }
    }

    /// `podman` (with runc on Debian, where crun cannot run on hybrid cgroups; a `podman machine` on macOS).
    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] {
        let install =
            host.os == .macos
            ? "brew install podman && podman machine init && podman machine start (macOS, Homebrew)"
            : "apt-get install podman runc (Debian/Ubuntu)"
        return [Prerequisite(tool: "podman", host: host.name, install: install)]
    }

    /// The attribute tree of a network, volume, image or container declaration.
    ///
    /// A container whose `image` names an `images` resource runs that resource's reference. Env files and
    /// bind mount sources are resolved against the manifest file's directory; env file values are secrets.
    ///
    /// - Throws: an ``OCError`` when an env file, a build context or a tarball cannot be read.
    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        switch declaration.spec {
        case let network as NetworkSpec:
            return PodmanDesiredState.network(network, stack: context.stack)
        case let volume as VolumeSpec:
            return PodmanDesiredState.volume(volume, stack: context.stack)
        case let image as ImageSpec:
            return try PodmanDesiredState.image(image, resolve: declaration.resolvePath)
        case let container as ContainerSpec:
            let named = context.specs[Address(ImageSpec.section, container.image)] as? ImageSpec
            return try PodmanDesiredState.container(
                container, stack: context.stack, imageReference: named?.reference ?? container.image,
                resolve: declaration.resolvePath, environment: context.environment, sensitive: context.sensitive)
        default:
            throw OCError(.internalError, "\(declaration.address) is not a Podman resource")
        }
    }
}
