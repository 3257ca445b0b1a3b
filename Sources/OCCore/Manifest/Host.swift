import Foundation

/// A machine commands run on, and how they reach it.
///
/// Every resource names a host (`host: oc-exit`); a host that is not declared is an error, except
/// `local`, which always exists and means this machine.
package struct Host: Sendable, Hashable, Codable {
    /// How commands reach the host.
    package enum Transport: String, Sendable, Hashable, Codable, CaseIterable {
        /// This machine, as the current user.
        case local
        /// `ssh HOST -- …` (BatchMode, never prompts).
        case ssh
        /// `multipass exec VM -- …`.
        case multipass
        /// `podman exec CONTAINER …`.
        case podmanExec = "podman-exec"
        /// `ip netns exec NAME …` (Linux network namespaces; used by the tests and the lab).
        case netns
    }

    /// Privilege escalation wrapped around every command.
    package enum Become: String, Sendable, Hashable, Codable, CaseIterable {
        /// `sudo -n` (never prompts; a needed password is a clear error).
        case sudo
    }

    /// The host's operating system, which decides the commands a provider uses.
    package enum OS: String, Sendable, Hashable, Codable, CaseIterable {
        case linux
        case macos

        /// The OS this program runs on.
        package static var current: OS {
            #if os(macOS)
            return .macos
            #else
            return .linux
            #endif
        }
    }

    /// The host's name in the manifest.
    package var name: String
    /// How commands reach it.
    package var transport: Transport
    /// The VM name (`multipass`).
    package var vm: String?
    /// The container name (`podman-exec`).
    package var container: String?
    /// The namespace name (`netns`).
    package var namespace: String?
    /// The address (`ssh`).
    package var address: String?
    /// The login user (`ssh`).
    package var user: String?
    /// The port (`ssh`).
    package var port: Int?
    /// Escalation for every command on this host.
    package var become: Become?
    /// The operating system; defaults to this machine's for `local` and `netns`, Linux otherwise.
    package var os: OS

    /// Creates a host.
    package init(
        name: String,
        transport: Transport,
        vm: String? = nil,
        container: String? = nil,
        namespace: String? = nil,
        address: String? = nil,
        user: String? = nil,
        port: Int? = nil,
        become: Become? = nil,
        os: OS? = nil
    ) {
        self.name = name
        self.transport = transport
        self.vm = vm
        self.container = container
        self.namespace = namespace
        self.address = address
        self.user = user
        self.port = port
        self.become = become
        switch transport {
        case .local, .netns: self.os = os ?? .current
        default: self.os = os ?? .linux
        }
    }

    /// The implicit host `local`: this machine, no escalation.
    package static let local = Host(name: "local", transport: .local)
}
