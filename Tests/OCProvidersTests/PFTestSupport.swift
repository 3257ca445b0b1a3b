import Foundation
import Logging
import OCCore
import OCPacketFilter
import OCTestSupport
import Testing

// MARK: - Builders

/// Small builders shared by the pf suites.
enum PFFixture {
    static let mac = OCCore.Host(name: "mac", transport: .local, os: .macos)
    static let stack = "lab"
    static let anchor = PFAnchor(stack: "lab")
    static let natRule = "nat on en0 from 192.168.64.0/24 to any -> (en0)"
    /// `natRule` as `pfctl -sn` lists it.
    static let natListed = "nat on en0 inet from 192.168.64.0/24 to any -> (en0) round-robin"
    static let stockWithAnchor = PFConf(FakePfctlCLI.stockPfConf).adding(anchor.confLines, load: false)

    /// The desired tree of a `pf` entry of stack `lab`.
    static func desired(_ rules: [String] = [natRule], enable: Bool = true, persist: Bool = false) -> Value {
        var tree: Value = [
            "anchor": "ocplan/lab", "rules": .list(rules.map(Value.string)), "referenced": true, "pfConf": true,
            "persist": .bool(persist),
        ]
        if enable { tree["enabled"] = true }
        return tree
    }

    static func observe(_ targets: [ObserveTarget], on host: OCCore.Host = mac, runner: any CommandRunner)
        async throws -> ObserveResponse
    {
        try await PFProvider().observe(
            ObserveRequest(stack: stack, host: host, runner: runner, targets: targets, logger: Logger(label: "test")))
    }

    /// Observes `pf.NAME` on `fake` and builds the change the planner would make for it.
    static func change(
        _ action: Action,
        desired: Value?,
        privateState: Value? = nil,
        fake: FakePfctlCLI,
        name: String = "vmnet-nat"
    ) async throws -> Change {
        let address = Address("pf", name)
        let observed = try await observe(
            [
                ObserveTarget(
                    address: address, desired: action == .delete ? nil : desired, lastApplied: desired,
                    privateState: privateState)
            ],
            runner: fake)
        return Change(
            address: address, provider: "pf", host: mac, action: action, cause: .manifest,
            before: observed.observations[address]?.value, after: action == .delete ? nil : desired,
            privateState: privateState, planData: observed.observations[address]?.planData)
    }

    /// The commands the provider lists for `change`.
    static func commands(_ change: Change) throws -> [Command] {
        try PFProvider().commands(
            for: change, context: ChangeContext(stack: stack, host: mac, privateState: change.privateState))
    }

    static func apply(_ change: Change, runner: any CommandRunner) async throws -> ApplyResponse {
        try await PFProvider().apply(
            ApplyRequest(stack: stack, host: mac, runner: runner, change: change, logger: Logger(label: "test")))
    }

    static func argv(_ commands: [Command]) -> [[String]] { commands.map(\.argv) }
}

// MARK: - Engine harness

/// Plans and applies manifests through the real engine (loader with the `default-route` detector, planner,
/// applier, journal) against a ``FakePfctlCLI`` on host `mac`.
final class PFStack: EngineHarnessWrapper, Sendable {
    let fake: FakePfctlCLI
    let harness: EngineHarness

    /// The manifest's head after the stack: `${uplink}` detected on host `mac` (a plain `eth0` when the host is
    /// not a Mac, whose default route the fake cannot answer).
    static func header(os: String = "macos") -> String {
        let uplink = os == "macos" ? "{ detect: default-route, host: mac }" : "eth0"
        return "vars:\n  uplink: \(uplink)\n" + "hosts:\n  mac: { transport: local, os: \(os), become: sudo }\n"
    }

    init(_ fake: FakePfctlCLI = FakePfctlCLI()) throws {
        self.fake = fake
        harness = try EngineHarness(
            header: Self.header(), catalog: SpecCatalog([PFAnchorSpec.self]), providers: [PFProvider()], runner: fake)
    }

    /// Loads `body` (sections after the header), resolving `${uplink}` on the fake.
    func load(_ body: String, os: String = "macos") async throws -> (Manifest?, Diagnostics) {
        try await harness.load(body, header: Self.header(os: os))
    }

    /// Plans `body`; returns the plan or `nil` with the diagnostics.
    func attempt(_ body: String, os: String = "macos") async throws -> (Plan?, Diagnostics) {
        try await harness.attempt(body, header: Self.header(os: os))
    }

    /// The token the journal keeps for `address`.
    func token(_ address: Address = "pf.vmnet-nat") async -> String? {
        await journal.entries[address]?.privateState?["token"].stringValue
    }
}
