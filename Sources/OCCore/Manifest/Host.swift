import Foundation

/// A machine commands run on, and how they reach it.
///
/// Every resource names a host (`host: oc-exit`); a host that is not declared is an error, except
/// `local`, which always exists and means this machine.
public struct Host: Sendable, Hashable, Codable {
    /// How commands reach the host.
    public enum Transport: String, Sendable, Hashable, Codable, CaseIterable {
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
    public enum Become: String, Sendable, Hashable, Codable, CaseIterable {
        /// `sudo -n` (never prompts; a needed password is a clear error).
        case sudo
    }

    /// The host's operating system, which decides the commands a provider uses.
    public enum OS: String, Sendable, Hashable, Codable, CaseIterable {
        case linux
        case macos

        /// The OS this program runs on.
        public static var current: OS {
            #if os(macOS)
            return .macos
            #else
            return .linux
            #endif
        }
    }

    /// The host's name in the manifest.
    public var name: String
    /// How commands reach it.
    public var transport: Transport
    /// The VM name (`multipass`).
    public var vm: String?
    /// The container name (`podman-exec`).
    public var container: String?
    /// The namespace name (`netns`).
    public var namespace: String?
    /// The address (`ssh`).
    public var address: String?
    /// The login user (`ssh`).
    public var user: String?
    /// The port (`ssh`).
    public var port: Int?
    /// Escalation for every command on this host.
    public var become: Become?
    /// The operating system; defaults to this machine's for `local` and `netns`, Linux otherwise.
    public var os: OS

    /// Creates a host.
    public init(
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
    public static let local = Host(name: "local", transport: .local)
}
