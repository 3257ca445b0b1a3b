import Foundation
import Logging
import OCCLI
import OCCore
import OCTestSupport
import Testing

@Suite struct HumanPlanRendererTests {
    let renderer = HumanPlanRenderer(style: Style(colour: false))

    func change(
        _ action: Action, cause: Cause?, attributes: [AttributeChange], notes: [String] = []
    ) -> Change {
        Change(
            address: "things.a", provider: "memory", host: .local, action: action, cause: cause, before: nil,
            after: nil, attributes: attributes, notes: notes)
    }

    @Test func replaceNamesTheAttributeThatForcesIt() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .replace, cause: .manifest,
                    attributes: [
                        AttributeChange(path: ValuePath("image"), before: "a:1", after: "a:2", forcesReplace: true),
                        AttributeChange(path: ValuePath("env.MODE"), before: "x", after: "y"),
                    ])
            ])
        let text = renderer.render(plan)
        #expect(text.contains("# things.a on local must be replaced (image cannot change in place) — cause: manifest"))
        #expect(text.contains("-/+ things.a {"))
        #expect(text.contains("~ image    = \"a:1\" -> \"a:2\" # forces replacement"))
        #expect(text.contains("Plan: 0 to create, 0 to update, 1 to replace, 0 to destroy."))
    }

    @Test func aChangeThatDidNotConvergeInTheLastApplySaysSoNotDrift() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .replace, cause: .notConverged,
                    attributes: [
                        AttributeChange(
                            path: ValuePath("env.HOME"), before: "/home/app", after: nil, forcesReplace: true)
                    ])
            ])
        let text = renderer.render(plan)
        #expect(text.contains("— cause: did not converge in the last apply"), "\(text)")
        #expect(!text.contains("drift"))
    }

    @Test func showCommandsPrintsATransactionsInputButNeverFileContent() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .update, cause: .drift,
                    attributes: [AttributeChange(path: ValuePath("rules"), before: [], after: ["-j RETURN"])])
            ])
        let rendered = HumanPlanRenderer(style: Style(colour: false), showCommands: true) { _ in
            [
                .command(
                    Command(
                        ["nft", "-f", "-"], stdin: Data("table inet t {}\nadd chain inet t c\n".utf8),
                        showsInput: true)),
                .command(Command(["tee", "/etc/secret"], stdin: Data("token=abc\n".utf8))),
            ]
        }.render(plan)
        #expect(
            rendered.contains(
                "      $ nft -f -\n      | table inet t {}\n      | add chain inet t c\n      $ tee /etc/secret\n"))
        #expect(!rendered.contains("token=abc"))
    }

    @Test func driftIsNamedAndCounted() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .update, cause: .drift,
                    attributes: [AttributeChange(path: ValuePath("value"), before: "0", after: "1")])
            ])
        let text = renderer.render(plan)
        #expect(text.contains("will be updated in place — cause: drift (changed outside ocplan)"))
        #expect(text.contains("1 of them repairs drift."))
    }

    @Test func sensitiveValuesAndSecretsAreHidden() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .create, cause: .manifest,
                    attributes: [
                        AttributeChange(path: ValuePath("token"), before: nil, after: "abc123", sensitive: true),
                        AttributeChange(
                            path: ValuePath("url"), before: nil, after: "https://u:hunter2@h", sensitive: true),
                        AttributeChange(path: ValuePath("note"), before: nil, after: "see hunter2 in 1 place"),
                    ])
            ], secrets: ["hunter2", "1"])
        let text = renderer.render(plan)
        #expect(!text.contains("abc123"))
        #expect(!text.contains("hunter2"))
        #expect(text.contains("+ token = (sensitive)"))
        // A marked attribute is hidden whole; an unmarked one that a long secret reached is cleaned, and a
        // secret too short to search for (`1`) does not blank the rest of the plan.
        #expect(text.contains("+ url   = (sensitive)"))
        #expect(text.contains("+ note  = \"see (sensitive) in 1 place\""))
    }

    @Test func bothSidesOfARotatedSecretAreHidden() {
        var rotated = change(
            .update, cause: .manifest,
            attributes: [
                AttributeChange(path: ValuePath("env.KEY"), before: "old-secret", after: "new-secret", sensitive: true)
            ])
        rotated.sensitivePaths = SensitivePaths([ValuePath("env.KEY")])
        let text = renderer.render(Plan(stack: "lab", changes: [rotated]))
        #expect(!text.contains("old-secret"))
        #expect(!text.contains("new-secret"))
        #expect(text.contains("~ env.KEY = (sensitive) -> (sensitive)"))
    }

    @Test func controlCharactersFromTheWorldAreShownEscaped() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .update, cause: .drift,
                    attributes: [
                        AttributeChange(path: ValuePath("content"), before: "a\u{1B}[2J\nb\n", after: "a\nb\u{7}\n")
                    ])
            ])
        let text = renderer.render(plan)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{7}"))
        #expect(text.contains("\\e[2J"))
        #expect(text.contains("\\x07"))
    }

    @Test func aDeleteThatLeavesTheObjectInPlaceIsAForgetNotADestroy() {
        var image = change(.delete, cause: .manifest, attributes: [])
        image.address = "images.base"
        image.reason = .notCreatedByStack
        var volume = change(.delete, cause: .manifest, attributes: [])
        volume.address = "volumes.data"
        volume.reason = .kept("deleteData: true is not applied")
        let destroyed = change(.delete, cause: .manifest, attributes: [])
        let text = renderer.render(Plan(stack: "lab", changes: [image, volume, destroyed]))
        #expect(text.contains("# images.base on local will be forgotten (not created by this stack) — cause: manifest"))
        #expect(text.contains("# volumes.data on local will be kept (deleteData: true is not applied) and forgotten"))
        #expect(text.contains("  . images.base {"))
        #expect(text.contains("  - things.a {"))
        #expect(text.contains("# things.a on local will be destroyed"))
        #expect(text.contains(", . forget (left in place)"))
        #expect(text.contains("Plan: 0 to create, 0 to update, 0 to replace, 1 to destroy, 2 to forget."))
    }

    @Test func joinsAndLeavesAreShownAsSuch() {
        let plan = Plan(
            stack: "lab",
            changes: [
                change(
                    .update, cause: .drift,
                    attributes: [
                        AttributeChange(
                            path: ValuePath("networks.podman"), before: ["aliases": [], "ipv4": .null], after: nil,
                            membership: Membership(.leave, outsideOcplan: true)),
                        AttributeChange(
                            path: ValuePath("networks.x"), before: nil, after: ["aliases": ["web"], "ipv4": .null],
                            membership: Membership(.join)),
                    ])
            ])
        let text = renderer.render(plan)
        #expect(text.contains("      - networks: leaves \"podman\" (joined outside ocplan)\n"), "\(text)")
        #expect(text.contains("      + networks: joins \"x\" (aliases = [\"web\"])\n"), "\(text)")
        #expect(!text.contains("aliases = [] -> null"))
    }

    @Test func emptyPlansSayNoChanges() {
        #expect(renderer.render(Plan(stack: "lab", changes: [])).contains("No changes."))
    }
}

@Suite struct JSONPlanRendererTests {
    @Test func theDocumentIsVersionedAndSecretsNeverAppear() throws {
        let plan = Plan(
            stack: "lab",
            changes: [
                Change(
                    address: "files.a", provider: "files", host: .local, action: .create, cause: .manifest, before: nil,
                    after: ["content": "token=s3cret\n"],
                    attributes: [
                        AttributeChange(
                            path: ValuePath("content"), before: nil, after: "token=s3cret\n", sensitive: true)
                    ])
            ], secrets: ["s3cret"])
        let text = try JSONPlanRenderer.render(plan)
        #expect(!text.contains("s3cret"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["formatVersion"] as? Int == 1)
        #expect(object["hasChanges"] as? Bool == true)
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary["create"] == 1)
        #expect(summary["no-op"] == 0)
        let changes = try #require(object["changes"] as? [[String: Any]])
        #expect(changes.first?["cause"] as? String == "manifest")
        #expect(changes.first?["actionReason"] == nil)
    }

    @Test func jsonCarriesTheTypedActionReason() throws {
        var kept = Change(
            address: "things.a", provider: "memory", host: .local, action: .delete, cause: .manifest, before: [:],
            after: nil)
        kept.reason = .notCreatedByStack
        var volume = kept
        volume.address = "things.v"
        volume.reason = .kept("deleteData: true is not applied")
        var replaced = kept
        replaced.address = "things.b"
        replaced.action = .replace
        replaced.reason = .replaceBecauseOf([ValuePath("kind")])
        let text = try JSONPlanRenderer.render(Plan(stack: "lab", changes: [kept, volume, replaced]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let changes = try #require(object["changes"] as? [[String: Any]])
        let reasons = changes.compactMap { $0["actionReason"] as? [String: Any] }
        #expect(reasons.map { $0["kind"] as? String } == ["notCreatedByStack", "kept", "replaceBecauseOf"])
        #expect(reasons[1]["why"] as? String == "deleteData: true is not applied")
        #expect(reasons.last?["paths"] as? [String] == ["kind"])
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary["delete"] == 0 && summary["forget"] == 2 && summary["replace"] == 1, "\(summary)")
    }
}

@Suite struct MissingToolsTests {
    @Test func aMissingToolIsAnErrorForItsResourcesListingThePrerequisite() async throws {
        let dir = try TempDirectory()
        try dir.write(
            "version: 1\nstack: lab\nsysctl:\n  fwd: { key: net.ipv4.ip_forward, value: 1 }\n", to: "stack.yaml")
        let runner = ScriptedRunner()
        runner.expect(.init(.prefix(["sysctl"]), response: .failure(.toolMissing), repeating: true))
        runner.expect(.init(.prefix(["cat"]), response: .failure(.toolMissing), repeating: true))
        let (manifest, diagnostics) = await ManifestLoader(catalog: StandardProviders.catalog, environment: [:])
            .load([dir.path])
        let m = try #require(manifest, "\(diagnostics.items)")
        let state = try TempDirectory()
        let context = EngineContext(
            registry: StandardProviders.registry, runner: { _ in runner },
            journal: try StateJournal(stack: "lab", stateDirectory: state.path), logger: Logger(label: "t"))
        let (plan, planDiagnostics) = await Planner(context: context, environment: [:]).plan(m)
        #expect(plan == nil, "nothing is planned for resources whose state cannot be read")
        let error = try #require(planDiagnostics.errors.first)
        #expect(planDiagnostics.errors.count == 1)
        #expect(error.summary == "Missing prerequisites for sysctl resources on host 'local' (sysctl.fwd)")
        #expect(error.address == "sysctl.fwd")
        #expect(error.location != nil, "located at the resource")
        #expect(error.detail?.contains("  - sysctl on local: apt-get install procps (Debian/Ubuntu)") == true)
    }
}

@Suite struct SectionsWithoutProviderTests {
    @Test func planningThemIsAClearError() async throws {
        let dir = try TempDirectory()
        try dir.write(
            "version: 1\nstack: lab\nvms:\n  oc-exit: { image: \"24.04\" }\n",
            to: "stack.yaml")
        let (manifest, _) = await ManifestLoader(catalog: StandardProviders.catalog, environment: [:]).load([dir.path])
        let m = try #require(manifest)
        let state = try TempDirectory()
        let context = EngineContext(
            registry: StandardProviders.registry, runner: { _ in ScriptedRunner() },
            journal: try StateJournal(stack: "lab", stateDirectory: state.path), logger: Logger(label: "t"))
        let (plan, diagnostics) = await Planner(context: context, environment: [:]).plan(m)
        #expect(plan == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "Section 'vms' has no provider yet")
        #expect(error.location?.line == 4)
    }
}

@Suite struct DiagnosticPrinterTests {
    /// A bad name or a tool's output quoted in a message cannot clear the screen or fake a line.
    @Test func controlCharactersInMessagesAreShownEscaped() {
        var diagnostics = Diagnostics()
        diagnostics.append(
            .error(
                "Unknown resource 'a\u{1B}[2Jb'", detail: "tool said:\nNo changes.\u{1B}[1A\u{7}", keyPath: "x\u{1B}"))
        let text = DiagnosticPrinter(style: Style(colour: false)).render(diagnostics)
        #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" })
        #expect(text.contains("'a\\e[2Jb'"))
        #expect(text.contains("\n  No changes.\\e[1A\\x07"))
    }
}

/// Which resource a host's commands run inside is said by the spec types (the core knows no tool): a
/// `multipass` host depends on its VM, a `podman-exec` host on its container, and everything on the host
/// depends on that resource.
@Suite struct HostBackingTests {
    @Test func resourcesOnAVMOrContainerHostDependOnIt() async throws {
        let dir = try TempDirectory()
        try dir.write(
            """
            version: 1
            stack: lab
            hosts:
              oc-exit: { transport: multipass, vm: oc-exit, os: linux }
              hs: { transport: podman-exec, container: headscale, os: linux }
              far: { transport: ssh, address: far.example, os: linux }
            vms:
              oc-exit: { image: "24.04" }
            containers:
              headscale: { image: docker.io/headscale/headscale:0.26 }
            sysctl:
              fwd: { host: oc-exit, key: net.ipv4.ip_forward, value: 1 }
              in-hs: { host: hs, key: net.ipv4.ip_default_ttl, value: 64 }
              far: { host: far, key: net.ipv4.ip_default_ttl, value: 64 }

            """, to: "stack.yaml")
        let (manifest, diagnostics) = await ManifestLoader(catalog: StandardProviders.catalog, environment: [:])
            .load([dir.path])
        let m = try #require(manifest, "\(diagnostics.items)")
        #expect(m.backing == ["oc-exit": "vms.oc-exit", "hs": "containers.headscale"])
        #expect(m.resource("sysctl.fwd")?.dependencies == ["vms.oc-exit"])
        #expect(m.resource("sysctl.in-hs")?.dependencies == ["containers.headscale"])
        #expect(m.resource("sysctl.far")?.dependencies == [])
        // A catalog without those spec types knows no backing at all.
        #expect(SpecCatalog([]).backingResource(of: try #require(m.hosts["oc-exit"])) == nil)
    }
}
