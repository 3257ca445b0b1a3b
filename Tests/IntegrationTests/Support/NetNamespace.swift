import Foundation
import OCCore
import OCExec
import Testing

/// A Linux network namespace created for one test and deleted when the test ends, even on failure.
///
/// Tests that change networking (sysctls under `net.`, iptables rules) do it inside such a namespace, so
/// the machine running them is never touched and no traffic leaves it. Use ``withNetNamespace(_:)``:
///
/// ```swift
/// @Test(.enabled(if: NetNamespace.isSupported)) func forwarding() async throws {
///     try await withNetNamespace { ns in
///         let runner = ns.runner()   // commands run through `ip netns exec NAME …`
///         …
///     }
/// }
/// ```
///
/// Only settings under `net.` are per namespace. `kernel.*`, `vm.*` or `fs.*` keys changed through
/// `ip netns exec` change the whole machine: never use them in these tests.
struct NetNamespace: Sendable {
    /// The prefix of every namespace the tests create (leftovers can be found with `ip netns list`).
    static let prefix = "ocplan-t-"

    /// The namespace's name, `ocplan-t-` and eight random hex digits.
    let name: String

    /// A manifest-style host whose commands run inside the namespace (`transport: netns`).
    ///
    /// - Parameter hostName: the host's name in the manifest.
    /// - Returns: the host.
    func host(named hostName: String = "ns") -> OCCore.Host {
        OCCore.Host(name: hostName, transport: .netns, namespace: name, os: .linux)
    }

    /// A runner whose commands run inside the namespace: the real subprocess runner behind the netns
    /// transport.
    func runner() -> any CommandRunner { makeRunner(for: host(), base: SubprocessRunner()) }

    /// Runs `argv` inside the namespace and returns its standard output, requiring success.
    ///
    /// - Parameter argv: the command, from the namespace's point of view.
    /// - Returns: standard output.
    /// - Throws: ``CommandFailure`` when the command fails.
    @discardableResult
    func run(_ argv: [String]) async throws -> String {
        try await runner().check(Command(argv), host: name).stdoutText
    }

    /// Whether namespace tests can run here: Linux, as root, with `ip`; always `true` under `CI=true`, so a
    /// missing prerequisite there fails the test (through `#require`) instead of skipping it.
    static var isSupported: Bool {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
        return Transport.isRunningAsRoot && ToolLocator.isAvailable("ip")
        #else
        return false
        #endif
    }
}

/// Creates a uniquely named network namespace, runs `body` with it, and deletes it afterwards, whether
/// `body` returns or throws.
///
/// - Parameter body: the test's work inside the namespace.
/// - Returns: what `body` returns.
/// - Throws: a recorded `#require` failure when `ip` or root is missing, a ``CommandFailure`` when the
///   namespace cannot be created, or what `body` throws.
func withNetNamespace<T: Sendable>(_ body: (NetNamespace) async throws -> T) async throws -> T {
    try #require(ToolLocator.isAvailable("ip"), "`ip` (iproute2) is needed: apt-get install iproute2")
    try #require(Transport.isRunningAsRoot, "creating a network namespace needs root")
    let local = SubprocessRunner()
    let name = NetNamespace.prefix + String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8)
    try await local.check(Command(["ip", "netns", "add", name]), host: "local")
    let namespace = NetNamespace(name: name)
    let result: T
    do {
        result = try await body(namespace)
    } catch {
        await deleteNamespace(name, runner: local)
        throw error
    }
    await deleteNamespace(name, runner: local)
    return result
}

/// Deletes a namespace the tests created, recording a test issue when that fails.
///
/// The deletion runs in its own task, so it still happens when the test's task was cancelled.
private func deleteNamespace(_ name: String, runner: SubprocessRunner) async {
    let outcome = await Task {
        try await runner.check(Command(["ip", "netns", "delete", name]), host: "local")
    }.result
    if case .failure(let error) = outcome {
        Issue.record("could not delete network namespace \(name): \(error)")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
