import Foundation
import Logging
import OCCore
import OCExec
import OCFiles
import OCTestSupport
import Testing

/// The files provider on this machine's real file system, through the real runner.
@Suite struct FilesRealTests {
    final class Stack: Sendable {
        let manifestDir: TempDirectory
        let state: TempDirectory
        let out: TempDirectory

        init() throws {
            manifestDir = try TempDirectory(prefix: "ocplan-files-manifest")
            state = try TempDirectory(prefix: "ocplan-files-state")
            out = try TempDirectory(prefix: "ocplan-files-out")
        }

        func context() throws -> EngineContext {
            EngineContext(
                registry: ProviderRegistry([FilesProvider()]),
                runner: { host in makeRunner(for: host, base: SubprocessRunner()) },
                journal: try StateJournal(stack: "files-real", stateDirectory: state.path), logger: Logger(label: "t"))
        }

        func plan(_ files: String, adopt: Set<Address> = []) async throws -> (Plan?, Diagnostics) {
            try manifestDir.write("version: 1\nstack: files-real\nfiles:\n" + files, to: "stack.yaml")
            let (manifest, diagnostics) = await ManifestLoader(catalog: SpecCatalog([FileSpec.self]), environment: [:])
                .load([manifestDir.path])
            let m = try #require(manifest, "\(diagnostics.items)")
            return await Planner(context: try context(), environment: [:]).plan(m, options: PlanOptions(adopt: adopt))
        }

        @discardableResult
        func converge(_ files: String, adopt: Set<Address> = []) async throws -> Plan {
            let (plan, diagnostics) = try await plan(files, adopt: adopt)
            let p = try #require(plan, "\(diagnostics.items)")
            let report = await Applier(context: try context()).apply(p)
            #expect(report.succeeded, "\(report.failed)")
            return p
        }

        func mode(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
    }

    @Test func createUpdateDriftAndDeleteOnRealFiles() async throws {
        let stack = try Stack()
        let path = stack.out.path + "/nested/dir/app.conf"
        let spec = "  app: { path: \(path), content: \"a=1\\n\", mode: \"0600\" }\n"
        let created = try await stack.converge(spec)
        #expect(created.actions.map(\.action) == [.create])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a=1\n")
        #expect(try stack.mode(path) == 0o600)
        #expect(try await stack.plan(spec).0?.hasChanges == false)

        // Mode drift: a rewrite through a fresh temporary file (a chmod of the path would follow a symlink).
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let (drift, _) = try await stack.plan(spec)
        let change = try #require(drift?.actions.first)
        #expect(change.cause == .drift)
        #expect(change.attributes.map(\.path.description) == ["mode"])
        let commands = try FilesProvider().commands(
            for: change, context: ChangeContext(stack: "files-real", host: .local, privateState: change.privateState))
        #expect(commands.map(\.program) == ["mkdir", "mktemp", "tee", "chmod", "mv"])
        try await stack.converge(spec)
        #expect(try stack.mode(path) == 0o600)

        // Content from the manifest: a rewrite, atomically, leaving no temporary file.
        try await stack.converge("  app: { path: \(path), content: \"a=2\\n\", mode: \"0600\" }\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a=2\n")
        let folder = stack.out.path + "/nested/dir"
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["app.conf"], "no temporary file left")

        // Removed from the manifest: deleted, because the stack created it.
        let other = stack.out.path + "/other.txt"
        try await stack.converge("  other: { path: \(other), content: x }\n")
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test func aSymlinkPlantedAtTheOldTemporaryNameIsNotFollowed() async throws {
        let stack = try Stack()
        let victim = try stack.out.write("precious\n", to: "victim")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim.path)
        let path = stack.out.path + "/app.conf"
        // What ocplan used to write through: PATH.ocplan-tmp.
        try FileManager.default.createSymbolicLink(atPath: path + ".ocplan-tmp", withDestinationPath: victim.path)
        try await stack.converge("  app: { path: \(path), content: \"secret\\n\", mode: \"0600\" }\n")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        #expect(try stack.mode(victim.path) == 0o644)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "secret\n")
        #expect(try stack.mode(path) == 0o600)

        // The persistence files of sysctl, iptables and pf are written the same way (HostFile).
        let persisted = stack.out.path + "/90-ocplan.conf"
        try FileManager.default.createSymbolicLink(atPath: persisted + ".ocplan-tmp", withDestinationPath: victim.path)
        try await SubprocessRunner().checkAll(HostFile.write("x = 1\n", to: persisted, os: .linux), host: "local")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: persisted, encoding: .utf8) == "x = 1\n")
    }

    @Test func aSymlinkPutAtAManagedFileIsReplacedNotWrittenThrough() async throws {
        let stack = try Stack()
        // Same content as the managed file, another mode: the plan sees only a mode drift through the link.
        let victim = try stack.out.write("mine\n", to: "victim")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: victim.path)
        let path = stack.out.path + "/app.conf"
        let spec = "  app: { path: \(path), content: \"mine\\n\", mode: \"0600\" }\n"
        try await stack.converge(spec)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim.path)
        let (drift, _) = try await stack.plan(spec)
        #expect(drift?.actions.first?.attributes.map(\.path.description) == ["mode"])
        try await stack.converge(spec)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "mine\n")
        #expect(try stack.mode(victim.path) == 0o644, "the link's target keeps its mode")
        let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "mine\n")
    }

    @Test func theRemoteTemporaryFileIsPrivateBeforeItsContentArrives() async throws {
        let out = try TempDirectory(prefix: "ocplan-files-mktemp")
        let write = HostFile.write("secret\n", to: out.path + "/app.conf", mode: "0644", os: .linux)
        let runner = SubprocessRunner()
        var bindings = CommandBindings()
        for command in write.prefix(2) { try await runner.check(command, host: "local", bindings: &bindings) }
        let temporary = try #require(bindings.values[HostFile.temporary])
        #expect(temporary.hasPrefix(out.path + "/.app.conf."))
        #expect(try FileManager.default.attributesOfItem(atPath: temporary)[.posixPermissions] as? Int == 0o600)
        await runner.undo(&bindings)
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }

    @Test func concurrentWritersOfOneFileNeverShareATemporaryFile() async throws {
        // Two state directories applying the same file used to meet at PATH.ocplan-tmp.
        let out = try TempDirectory(prefix: "ocplan-files-race")
        let path = out.path + "/shared.conf"
        let contents = (0..<12).map { String(repeating: "\($0 % 10)", count: 4_096) + "\n" }
        let failures = await withTaskGroup(of: String?.self) { group in
            for text in contents {
                group.addTask {
                    do {
                        try await SubprocessRunner().checkAll(HostFile.write(text, to: path, os: .linux), host: "local")
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failed: [String] = []
            for await failure in group { if let failure { failed.append(failure) } }
            return failed
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(contents.contains(try String(contentsOfFile: path, encoding: .utf8)), "one writer's whole content")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == ["shared.conf"])
    }

    @Test func anExistingFileIsNeverTouchedUnlessAdoptedAndThenNeverDeleted() async throws {
        let stack = try Stack()
        let path = stack.out.path + "/theirs.conf"
        try "theirs\n".write(toFile: path, atomically: true, encoding: .utf8)
        let spec = "  mine: { path: \(path), content: \"mine\\n\" }\n"
        let (refused, diagnostics) = try await stack.plan(spec)
        #expect(refused == nil)
        #expect(diagnostics.errors.first?.detail?.contains("--adopt files.mine") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "theirs\n")

        try await stack.converge(spec, adopt: ["files.mine"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "mine\n")
        try await stack.converge("")
        #expect(FileManager.default.fileExists(atPath: path), "an adopted file is not the stack's to delete")
    }

    @Test func replacingThePathMovesTheFile() async throws {
        let stack = try Stack()
        let first = stack.out.path + "/a.txt"
        let second = stack.out.path + "/b.txt"
        try await stack.converge("  f: { path: \(first), content: x }\n")
        let moved = try await stack.converge("  f: { path: \(second), content: x }\n")
        #expect(moved.actions.first?.action == .replace)
        #expect(moved.actions.first?.replaceReasons == [ValuePath("path")])
        #expect(!FileManager.default.fileExists(atPath: first))
        #expect(FileManager.default.fileExists(atPath: second))
    }

    @Test func realStatOutputCannotBeConfusedByPathsAndOnlyAMissingPathIsAbsent() async throws {
        let out = try TempDirectory(prefix: "ocplan-files-paths")
        let real = out.path + "/real"
        // Split on newlines, the old `stat -c '%n\t…'` line of this path read as the stat of `real`.
        let evil = real + "\t644\t3\tregular file\troot\troot\nx"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: evil))
        try Data("f".utf8).write(to: URL(fileURLWithPath: out.path + "/file"))
        let notADirectory = out.path + "/file/sub"
        func target(_ name: String, _ path: String) -> ObserveTarget {
            ObserveTarget(address: Address("files", name), desired: ["path": .string(path), "content": "abc"])
        }
        let host = OCCore.Host.local
        let response = try await FilesProvider().observe(
            ObserveRequest(
                stack: "files-real", host: host, runner: makeRunner(for: host, base: SubprocessRunner()),
                targets: [target("real", real), target("evil", evil), target("sub", notADirectory)],
                logger: Logger(label: "t")))
        #expect(response.observations["files.real"]?.exists == false, "real does not exist")
        #expect(response.observations["files.evil"]?.value?["content"] == "abc")
        #expect(response.observations["files.sub"] == nil)
        let failure = try #require(response.failures["files.sub"], "Not a directory is not absent")
        #expect(failure.description.contains("Not a directory"), "\(failure)")
    }
}
