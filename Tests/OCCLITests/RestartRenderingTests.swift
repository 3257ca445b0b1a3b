import Foundation
import OCCLI
import OCCore
import Synchronization
import Testing

/// How a restart (`restartOn`) reads in the human plan, the JSON plan, `--show-commands` and apply progress.
@Suite struct RestartRenderingTests {
    static let plan = Plan(
        stack: "lab",
        changes: [
            Change(
                address: "containers.proxy", provider: "podman", host: .local, action: .noop, cause: nil,
                before: ["state": "running"], after: ["state": "running"], dependencies: ["files.squid-conf"],
                triggeredBy: ["files.squid-conf"]),
            Change(
                address: "files.squid-conf", provider: "files", host: .local, action: .update, cause: .manifest,
                before: ["content": "a\n"], after: ["content": "b\n"],
                attributes: [AttributeChange(path: ValuePath("content"), before: "a\n", after: "b\n")]),
            Change(
                address: "containers.agent", provider: "podman", host: .local, action: .update, cause: .drift,
                before: ["state": "running"], after: ["state": "running"],
                attributes: [AttributeChange(path: ValuePath("networks.n"), before: nil, after: [:])],
                triggeredBy: ["files.squid-conf"]),
        ])

    @Test func theHumanPlanShowsTheRestartAndItsTrigger() throws {
        let text = HumanPlanRenderer(style: Style(colour: false)).render(Self.plan)
        #expect(text.contains("  # containers.proxy on local will be restarted (triggered by files.squid-conf)\n"))
        #expect(text.contains("\n  ~ containers.proxy: restart (triggered by files.squid-conf)\n"))
        // A restart-only change has no attribute block.
        #expect(!text.contains("~ containers.proxy {"))
        // An update that also restarts: the block, then the restart.
        #expect(
            text.contains(
                "  # containers.agent on local will be updated in place, then restarted (triggered by "
                    + "files.squid-conf) — cause: drift (changed outside ocplan)\n"))
        #expect(text.contains("    }\n  ~ containers.agent: restart (triggered by files.squid-conf)\n"))
        // Restarts follow the changes that trigger them.
        let trigger = try #require(text.range(of: "# files.squid-conf"))
        let restart = try #require(text.range(of: "# containers.proxy"))
        #expect(trigger.lowerBound < restart.lowerBound)
        #expect(text.contains("Plan: 0 to create, 2 to update, 0 to replace, 0 to destroy, 2 to restart."))
        #expect(text.contains("Symbols: + create, ~ update in place, -/+ replace, - destroy, ~ NAME: restart"))
    }

    @Test func showCommandsListsTheRestartCommand() {
        let renderer = HumanPlanRenderer(style: Style(colour: false), showCommands: true) { change in
            change.address == "containers.proxy"
                ? [.command(Command(["podman", "restart", "--time", "10", "--", "proxy"]))] : []
        }
        let text = renderer.render(Self.plan)
        #expect(
            text.contains(
                "  ~ containers.proxy: restart (triggered by files.squid-conf)\n    commands (on local):\n"
                    + "      $ podman restart --time 10 -- proxy\n"))
    }

    @Test func aPlanWithoutRestartsReadsAsBefore() {
        let plain = Plan(stack: "lab", changes: [Self.plan.changes[1]])
        let text = HumanPlanRenderer(style: Style(colour: false)).render(plain)
        #expect(text.contains("Plan: 0 to create, 1 to update, 0 to replace, 0 to destroy.\n"))
        #expect(text.contains("Symbols: + create, ~ update in place, -/+ replace, - destroy\n"))
    }

    @Test func theJSONPlanCountsAndNamesTheRestart() throws {
        let text = try JSONPlanRenderer.render(Self.plan)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["hasChanges"] as? Bool == true)
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary["restart"] == 2)
        #expect(summary["no-op"] == 1)
        let changes = try #require(object["changes"] as? [[String: Any]])
        let proxy = try #require(changes.first { $0["address"] as? String == "containers.proxy" })
        #expect(proxy["action"] as? String == "no-op")
        #expect(proxy["restart"] as? Bool == true)
        #expect(proxy["triggeredBy"] as? [String] == ["files.squid-conf"])
        let file = try #require(changes.first { $0["address"] as? String == "files.squid-conf" })
        #expect(file["restart"] as? Bool == false)
        #expect(file["triggeredBy"] as? [String] == [])
    }

    @Test func applyProgressSaysRestarting() async {
        let lines = Mutex<[String]>([])
        let view = ApplyProgressView(style: Style(colour: false)) { line in lines.withLock { $0.append(line) } }
        let proxy = Self.plan.changes[0]
        await view.handle(.started(proxy))
        await view.handle(.finished(proxy, elapsed: .seconds(1), error: nil))
        let written = lines.withLock { $0 }
        #expect(written.first == "containers.proxy: Restarting… (on local)")
        #expect(written.last == "containers.proxy: Restart complete after 1.0s")
    }
}
