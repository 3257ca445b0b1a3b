/// The container engine a container or network is created with.
package enum ContainerRuntime: String, Sendable, Hashable, Codable, CaseIterable {
    /// Podman (rootful store on Linux, `podman machine` on macOS).
    case podman
    /// Apple's `container` CLI (macOS 26), which supports fewer options.
    case apple
}
