import Foundation
import OCCore
import Synchronization

/// A spec for tests: `things: NAME: { host, value, size, tags, secret, replaceKey }`.
package struct ThingSpec: ResourceSpec, Equatable {
    package static let section = "things"
    package static let schema = ObjectSchema(
        "A thing kept in memory (tests only)",
        fields: [
            FieldSchema("host", .reference("hosts"), doc: "The host.", default: "local"),
            FieldSchema("value", .string(), required: true, doc: "A value changed in place."),
            FieldSchema("kind", .string(), doc: "A value whose change forces a replace.", update: .replace),
            FieldSchema("size", .integer(min: 0, max: 100), doc: "A bounded number."),
            FieldSchema("tags", .strings, doc: "A list."),
            FieldSchema("subnet", .string(.cidr), doc: "A CIDR."),
            FieldSchema("peer", .reference("things"), doc: "Another thing this one depends on."),
            FieldSchema("secret", .string(), doc: "A secret value.", sensitive: true),
        ]
    )

    package var host: String
    package var value: String
    package var kind: String?
    package var size: Int?
    package var tags: [String]?
    package var subnet: String?
    package var peer: String?
    package var secret: String?

    package var hostNames: [String] { [host] }

    package static let outputs = [
        OutputField("id", doc: "A new identifier each time the thing is created."),
        OutputField("token", doc: "A secret the thing publishes.", sensitive: true),
    ]
    /// Things can be restarted (`restartOn`): the world logs `restart NAME`.
    package static var restartable: Bool { true }

    private enum CodingKeys: String, CodingKey { case host, value, kind, size, tags, subnet, peer, secret }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? "local"
        value = try c.decode(String.self, forKey: .value)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        size = try c.decodeIfPresent(Int.self, forKey: .size)
        tags = try c.decodeIfPresent([String].self, forKey: .tags)
        subnet = try c.decodeIfPresent(String.self, forKey: .subnet)
        peer = try c.decodeIfPresent(String.self, forKey: .peer)
        secret = try c.decodeIfPresent(String.self, forKey: .secret)
    }

    package func validate(in context: ValidationContext) -> [Diagnostic] {
        value == "forbidden" ? [context.error("Value 'forbidden' is not allowed", at: "value")] : []
    }
}

/// A world of things in memory, shared by an ``InMemoryProvider`` and the test that inspects it.
package final class InMemoryWorld: Sendable {
    /// One stored object.
    package struct Object: Sendable, Hashable {
        /// Its attribute tree.
        package var value: Value
        /// The stack that owns it, or `nil` for a foreign object.
        package var owner: String?
        /// Its identifier, new at each create (published as the `id` output).
        package var id: String = ""
    }

    private let state = Mutex<[String: Object]>([:])
    private let failing = Mutex<Set<String>>([])
    private let log = Mutex<[String]>([])
    private let garbled = Mutex<[String: String]>([:])
    private let ignoring = Mutex<Set<String>>([])
    private let unreachable = Mutex(false)
    private let created = Mutex(0)

    /// Creates an empty world.
    package init() {}

    /// The objects by name.
    package var objects: [String: Object] { state.withLock { $0 } }
    /// What was done, in order (`create NAME`, `update NAME`, …).
    package var operations: [String] { log.withLock { $0 } }

    /// Puts an object in place (a hand-made change or a foreign look-alike).
    package func set(_ name: String, _ value: Value?, owner: String? = nil) {
        state.withLock { $0[name] = value.map { Object(value: $0, owner: owner) } }
    }

    /// Makes every change of `name` fail.
    package func fail(_ name: String) { _ = failing.withLock { $0.insert(name) } }

    /// Makes changes of `name` work again.
    package func recover(_ name: String) { _ = failing.withLock { $0.remove(name) } }

    /// Makes observing `name` print `output`, which is not a thing (a per-resource observation failure).
    package func garble(_ name: String, output: String = "\u{1B}[2Jgarbage") { garbled.withLock { $0[name] = output } }

    /// Makes every observation fail as a whole (the host cannot be reached), or work again.
    package func breakObservation(_ broken: Bool = true) { unreachable.withLock { $0 = broken } }

    /// Makes changes to `name` report success without doing anything.
    package func ignoreChanges(_ name: String) { _ = ignoring.withLock { $0.insert(name) } }

    var garbledOutputs: [String: String] { garbled.withLock { $0 } }
    var isUnreachable: Bool { unreachable.withLock { $0 } }

    func perform(_ operation: String, _ name: String, _ value: Value?, owner: String) throws {
        if failing.withLock({ $0.contains(name) }) {
            throw OCError(.commandFailed, "\(operation) \(name) failed (test)")
        }
        log.withLock { $0.append("\(operation) \(name)") }
        if ignoring.withLock({ $0.contains(name) }) { return }
        let fresh = operation == "create" || operation == "replace"
        let serial =
            fresh
            ? created.withLock {
                $0 += 1
                return $0
            } : 0
        state.withLock {
            let id = fresh ? "\(name)-\(serial)" : $0[name]?.id ?? "\(name)-0"
            $0[name] = value.map { Object(value: $0, owner: owner, id: id) }
        }
    }
}

/// A provider of `things` that keeps them in an ``InMemoryWorld`` (tests only).
package struct InMemoryProvider: Provider {
    package let name = "memory"
    package let sections = ["things"]
    /// The world it changes.
    package let world: InMemoryWorld
    /// Whether a replaced thing replaces the things that depend on it.
    package let cascade: Bool

    /// Creates a provider over `world`.
    package init(world: InMemoryWorld, cascade: Bool = false) {
        self.world = world
        self.cascade = cascade
    }

    package func schema(for section: String) -> ResourceSchema {
        ResourceSchema(replaceOn: ["kind"], sensitive: ["secret"], replacedWith: cascade ? ["things"] : [])
    }

    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] { [] }

    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        let spec = try declaration.spec(as: ThingSpec.self)
        var tree: Value = ["value": .string(spec.value)]
        if let kind = spec.kind { tree["kind"] = .string(kind) }
        if let size = spec.size { tree["size"] = .int(size) }
        if let tags = spec.tags { tree["tags"] = .strings(tags) }
        if let secret = spec.secret { tree["secret"] = .string(secret) }
        return tree
    }

    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        let objects = world.objects
        var response = ObserveResponse()
        let get = Command(["thing", "get"] + request.targets.map(\.address.name))
        if world.isUnreachable {
            throw CommandFailure.exited(
                get, CommandResult(exitStatus: 255, stdout: "", stderr: "ssh: connect to host: Connection refused\n"),
                host: request.host.name)
        }
        let garbled = world.garbledOutputs
        for target in request.targets {
            if let output = garbled[target.address.name] {
                response.failures[target.address] = .unrecognised(
                    get, CommandResult(exitStatus: 0, stdout: output), host: request.host.name, expected: "a thing")
                continue
            }
            guard let object = objects[target.address.name] else {
                response.observations[target.address] = .absent
                continue
            }
            response.observations[target.address] = Observation(
                value: object.value, ownership: object.owner == request.stack ? .ours : .foreign,
                note: object.owner.map { "owned by stack \($0)" } ?? "not created by ocplan",
                outputs: ["id": .string(object.id), "token": .string("secret-of-\(object.id)")])
        }
        let requested = Set(request.targets.map(\.address.name))
        for (name, object) in objects where object.owner == request.stack && !requested.contains(name) {
            response.discovered[Address("things", name)] = Observation(value: object.value, ownership: .ours)
        }
        return response
    }

    /// `thing ACTION NAME`, the command the preview shows (the world is kept in memory, so nothing runs it).
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        .commands([Command(["thing", change.action.rawValue, change.address.name], mutating: true)])
    }

    /// `thing restart NAME`.
    package func restartCommands(for change: Change, context: ChangeContext) throws -> [Command]? {
        [Command(["thing", "restart", change.address.name], mutating: true)]
    }

    /// Logs `restart NAME` in the world (or fails, for a thing set to fail) and observes it again.
    package func restart(_ request: ApplyRequest) async throws -> ApplyResponse {
        let name = request.change.address.name
        try world.perform("restart", name, world.objects[name]?.value, owner: request.stack)
        return try await request.reobserve(self)
    }

    /// Performs the change on the in-memory world instead of interpreting the program: this double has no host
    /// to run commands on.
    package func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        let change = request.change
        switch change.action {
        case .delete: try world.perform("delete", change.address.name, nil, owner: request.stack)
        case .noop: break
        default: try world.perform(change.action.rawValue, change.address.name, change.after, owner: request.stack)
        }
        return try await request.reobserve(self)
    }
}
