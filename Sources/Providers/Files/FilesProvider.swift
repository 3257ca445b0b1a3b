import Foundation
import OCCore

/// Manages files on any host through its runner: `stat` and `cat` to observe, `mktemp`, `tee` and `mv` to write.
///
/// Files carry no ownership mark (a header would change their content), so ownership comes from the
/// state journal: a file that exists but was never applied by the stack is reported, never touched,
/// unless adopted. Only files the stack created are deleted.
package struct FilesProvider: Provider {
    package let name = "files"
    package let sections = ["files"]

    /// Creates the provider.
    package init() {}

    package func schema(for section: String) -> ResourceSchema {
        ResourceSchema(replaceOn: ["path"], sensitive: [], ignored: ["sensitive"])
    }

    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] {
        let install = host.os == .macos ? "part of macOS" : "apt-get install coreutils (Debian/Ubuntu)"
        return ["stat", "cat", "mktemp", "tee", "mv", "chmod", "chown", "mkdir", "rm", "rmdir", "ls"].map {
            Prerequisite(tool: $0, host: host.name, install: install)
        }
    }

    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        let spec = try declaration.spec(as: FileSpec.self)
        let content: String
        if let inline = spec.content {
            content = inline
        } else if let source = spec.source {
            content = try Self.readLocal(declaration.resolvePath(source), what: "source")
        } else if let template = spec.template {
            let path = declaration.resolvePath(template)
            let rendered = try Template.render(
                try Self.readLocal(path, what: "template"), file: template, variables: context.variables,
                environment: context.environment)
            if !rendered.secrets.isEmpty { context.sensitive.mark(ValuePath("content")) }
            content = rendered.text
        } else {
            throw OCError(.invalidManifest, "\(declaration.address) has no content")
        }
        if spec.sensitive { context.sensitive.mark(ValuePath("content")) }
        let path = spec.path.hasPrefix("/") ? spec.path : declaration.resolvePath(spec.path)
        var tree: Value = [
            "path": .string(path), "content": .string(content), "mode": .string(Self.normalMode(spec.mode)),
        ]
        if let owner = spec.owner { tree["owner"] = .string(owner) }
        if let group = spec.group { tree["group"] = .string(group) }
        return tree
    }

    // MARK: - Observe

    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        var paths: [Address: String] = [:]
        for target in request.targets {
            // Observe the file where the stack last put it: a changed path then shows as a replace.
            if let path = (target.lastApplied ?? target.desired)?["path"].stringValue { paths[target.address] = path }
        }
        let unique = Array(Set(paths.values)).sorted()
        guard !unique.isEmpty else { return ObserveResponse() }
        var read = try await Self.stat(unique, request: request)
        let regular = unique.filter { read.stats[$0]?.isRegular == true }
        var contents: [String: Data] = [:]
        if !regular.isEmpty {
            let command = FilesCommands.cat(regular)
            let cat = try await request.runner.run(command)
            if cat.succeeded,
                let split = FilesObservation.split(
                    cat.stdout, paths: regular, sizes: regular.map { read.stats[$0]?.size ?? 0 })
            {
                contents = split
            } else if cat.succeeded || cat.exitStatus == 1 {
                // A file changed between stat and cat, or one cannot be read: read them one by one, so that each
                // failure concerns one path.
                for path in regular {
                    let one = FilesCommands.cat([path])
                    let result = try await request.runner.run(one)
                    if result.succeeded {
                        contents[path] = result.stdout
                    } else if HostFile.isMissing(path, result) {
                        read.stats[path] = nil  // removed since stat
                    } else {
                        read.failures[path] = .exited(one, result, host: request.host.name)
                    }
                }
            } else {
                throw CommandFailure.exited(command, cat, host: request.host.name)
            }
        }
        let stats = read.stats
        var response = ObserveResponse()
        for target in request.targets {
            guard let path = paths[target.address] else { continue }
            if let failure = read.failures[path] {
                response.failures[target.address] = failure
                continue
            }
            guard let stat = stats[path] else {
                response.observations[target.address] = .absent
                continue
            }
            guard stat.isRegular else {
                response.observations[target.address] = Observation(
                    value: ["path": .string(path), "type": .string(stat.type)], ownership: .foreign,
                    note: "\(path) is a \(stat.type), not a regular file")
                continue
            }
            var tree: Value = [
                "path": .string(path), "mode": .string(Self.normalMode(stat.mode)),
                "content": .string(FilesObservation.text(contents[path] ?? Data())),
            ]
            let desired = target.desired ?? target.lastApplied
            if desired?["owner"].stringValue != nil { tree["owner"] = .string(stat.owner) }
            if desired?["group"].stringValue != nil { tree["group"] = .string(stat.group) }
            response.observations[target.address] = Observation(value: tree, ownership: .unmarked)
        }
        return response
    }

    /// What `stat` found: the paths that exist, and those that could not be read for another reason than not
    /// existing.
    struct StatResult {
        var stats: [String: FilesObservation.Stat] = [:]
        var failures: [String: CommandFailure] = [:]
    }

    /// Runs `stat` on every path at once; when one cannot be read (exit status 1), once more per path, so that a
    /// missing path ("No such file or directory") is told apart from one that cannot be read (permission denied).
    ///
    /// - Throws: ``CommandFailure`` when `stat` fails for all paths (another exit status: ssh's 255, a timeout)
    ///   or prints what it does not print.
    static func stat(_ paths: [String], request: ObserveRequest) async throws -> StatResult {
        let host = request.host.name
        let os = request.host.os
        let command = FilesCommands.stat(paths, os: os)
        let result = try await request.runner.run(command)
        var out = StatResult()
        if result.succeeded {
            guard let parsed = FilesObservation.parseStat(result.stdout, os: os), parsed.count == paths.count else {
                throw CommandFailure.unrecognised(
                    command, result, host: host, expected: "one stat record per path")
            }
            for (path, stat) in zip(paths, parsed) { out.stats[path] = stat }
            return out
        }
        guard result.exitStatus == 1 else { throw CommandFailure.exited(command, result, host: host) }
        for path in paths {
            let one = paths.count == 1 ? command : FilesCommands.stat([path], os: os)
            let single = paths.count == 1 ? result : try await request.runner.run(one)
            if single.succeeded {
                guard let parsed = FilesObservation.parseStat(single.stdout, os: os), parsed.count == 1 else {
                    out.failures[path] = .unrecognised(one, single, host: host, expected: "one stat record")
                    continue
                }
                out.stats[path] = parsed[0]
            } else if !HostFile.isMissing(path, single) {
                out.failures[path] = .exited(one, single, host: host)
            }
        }
        return out
    }

    // MARK: - Change

    /// The program of `change`: an atomic write, or `rm -f` of a file the stack created.
    ///
    /// A create, update or replace is a ``FileWrite``, with `rm -f` of the old path first when a replace moves a
    /// file the stack created; a delete of a file the stack created is `rm -f`. Every program ends with a re-observation, so a file still there after its delete is a failed
    /// action. A delete of a file the stack did not create runs nothing (see ``review(_:context:)``).
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        let created = Self.created(change, context.privateState)
        var steps: [Step] = []
        switch change.action {
        case .noop: return StepProgram()
        case .delete:
            guard created, let path = change.before?["path"].stringValue else { return StepProgram() }
            // Then the folders the stack created for it, deepest first, each only if it is empty.
            steps =
                [.run(FilesCommands.remove(path))]
                + Self.directories(context.privateState).reversed().map {
                    .run(
                        FilesCommands.removeDirectory($0),
                        accepts: Acceptance(
                            "a folder that holds something else, or is gone, stays",
                            markers: ["Directory not empty", "No such file or directory", "File exists"]))
                }
        case .create, .replace:
            guard let desired = change.after else { return StepProgram() }
            if change.action == .replace, created, let old = change.before?["path"].stringValue,
                old != desired["path"].stringValue
            {
                steps.append(.run(FilesCommands.remove(old)))
            }
            steps += (FilesCommands.write(desired).map { [Step.write($0)] } ?? [])
        case .update:
            // A changed mode or owner is also a rewrite (same content, mode and owner set on the fresh temporary
            // file): `chmod`/`chown` of the path would follow a symlink planted there to a file of someone's choice.
            guard let desired = change.after else { return StepProgram() }
            steps = (FilesCommands.write(desired).map { [Step.write($0)] } ?? [])
        }
        return StepProgram(steps + [.reobserve], privateState: Self.privateState(after: change))
    }

    /// A delete of a file the stack did not create (adopted, or taken over from an earlier version) leaves it in
    /// place: the stack only stops managing it.
    package func review(_ change: Change, context: ChangeContext) -> Review {
        guard change.action == .delete, !Self.created(change, context.privateState) else { return .none }
        return Review(reason: .notCreatedByStack)
    }

    /// Runs the program, after two things it finds only at apply time: the temporary file a killed write left
    /// (removed), and the folders `mkdir -p` is about to create for a new path, journaled before the write so that
    /// destroy removes them again when they are empty, even after a killed run.
    ///
    /// An override because both depend on what is on the host when the change runs, not when it was planned; the
    /// program itself is ``program(for:context:)``, interpreted by the engine's ``StepInterpreter``.
    package func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        var request = request
        let change = request.change
        let host = request.host.name
        if let writing = change.privateState?[Self.writingKey].stringValue {
            try await Self.removeLeftovers(of: writing, runner: request.runner, host: host)
        }
        if change.action != .delete, let path = change.after?["path"].stringValue,
            change.before?["path"].stringValue != path
        {
            let made = try await Self.missingDirectories(above: path, runner: request.runner, host: request.host)
            if !made.isEmpty {
                var intent = Self.privateState(after: change, directories: made)
                intent[Self.writingKey] = .string(path)
                try await request.journalIntent(intent)
                request.change.privateState = Self.privateState(after: change, directories: made)
            }
        }
        return try await StepInterpreter.apply(request, provider: self)
    }

    /// The folders above `path` that do not exist yet (the ones `mkdir -p` creates), shallowest first, from one
    /// `stat` of every ancestor.
    ///
    /// - Throws: ``CommandFailure`` when `stat` fails for another reason than a missing folder.
    static func missingDirectories(above path: String, runner: any CommandRunner, host: OCCore.Host) async throws
        -> [String]
    {
        var ancestors: [String] = []
        var folder = HostFile.directory(of: path)
        while folder != "/" {
            ancestors.insert(folder, at: 0)
            folder = HostFile.directory(of: folder)
        }
        guard !ancestors.isEmpty else { return [] }
        let command = FilesCommands.stat(ancestors, os: host.os)
        let result = try await runner.run(command)
        if result.succeeded { return [] }
        let missing = ancestors.filter { HostFile.isMissing($0, result) }
        guard !missing.isEmpty else { throw CommandFailure.exited(command, result, host: host.name) }
        return missing
    }

    /// Removes the temporary files a killed write to `path` left beside it: the entries of its folder named as
    /// ``HostFile/temporaryTemplate(for:)`` names them (`.NAME.` and ten letters or digits), from one `ls -A`.
    static func removeLeftovers(of path: String, runner: any CommandRunner, host: String) async throws {
        let folder = HostFile.directory(of: path)
        let list = Command(["ls", "-A", "--", folder])
        let result = try await runner.run(list)
        guard result.succeeded else {
            if result.stderrText.contains("No such file or directory") { return }
            throw CommandFailure.exited(list, result, host: host)
        }
        let prefix = "." + (path.split(separator: "/").last.map(String.init) ?? "file") + "."
        let suffixLength = HostFile.temporaryTemplate(for: path).reversed().prefix { $0 == "X" }.count
        for entry in result.stdoutText.split(separator: "\n").map(String.init) where entry.hasPrefix(prefix) {
            let suffix = entry.dropFirst(prefix.count)
            guard suffix.count == suffixLength, suffix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else { continue }
            try await runner.check(FilesCommands.remove((folder == "/" ? "" : folder) + "/" + entry), host: host)
        }
    }

    /// Journaled before the write: whether the stack creates the file, so a run killed after the file is in
    /// place still owns it (and deletes it on destroy) instead of asking for `--adopt`.
    package func intent(for change: Change, context: ChangeContext) throws -> Value? {
        var intent = Self.privateState(after: change)
        if change.action != .delete, let path = change.after?["path"].stringValue {
            intent[Self.writingKey] = .string(path)
        }
        return intent
    }

    /// Whether the stack created the file once `change` is done (only then may it delete it), and the folders it
    /// created for it: those journaled before and `directories`.
    static func privateState(after change: Change, directories: [String] = []) -> Value {
        let created: Bool
        switch change.action {
        case .create: created = change.before == nil || Self.created(change, change.privateState)
        case .replace: created = Self.created(change, change.privateState) || change.before == nil
        default: created = Self.created(change, change.privateState)
        }
        var state: Value = ["created": .bool(created)]
        var folders = Self.directories(change.privateState)
        folders += directories.filter { !folders.contains($0) }
        if created, !folders.isEmpty { state["directories"] = .list(folders.map(Value.string)) }
        return state
    }

    /// The private state key of the path being written, journaled (in the pending intent only) before the write,
    /// so the next run removes the temporary file a killed write left.
    static let writingKey = "writing"

    /// The folders the stack created for the file, shallowest first (private state `directories`).
    static func directories(_ privateState: Value?) -> [String] {
        (privateState?["directories"].listValue ?? []).compactMap(\.stringValue)
    }

    /// Whether the stack created the file (recorded at its first apply).
    static func created(_ change: Change, _ privateState: Value?) -> Bool {
        privateState?["created"].boolValue ?? false
    }

    static func normalMode(_ mode: String) -> String {
        let digits = mode.hasPrefix("0o") ? String(mode.dropFirst(2)) : mode
        let trimmed = String(digits.drop { $0 == "0" })
        let padded = String(repeating: "0", count: max(0, 3 - trimmed.count)) + trimmed
        return "0" + padded
    }

    /// The text of a local `source` or `template` file; a failure names the path and the key (`what`).
    static func readLocal(_ path: String, what: String) throws -> String {
        do {
            return FilesObservation.text(try LocalFile.readRegular(path: path))
        } catch {
            throw error.at(key: what)
        }
    }
}
