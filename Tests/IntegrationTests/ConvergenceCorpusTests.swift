import Foundation
import OCContainerModel
import OCCore
import OCPodman
import OCTestSupport
import Testing

/// The convergence corpus (issue 10): for every container and network field, table rows against the realistic
/// image (scripts/realistic-image) on real Podman.
///
/// Row kinds: applied, the second plan is empty; every equivalent spelling (compose and Ansible forms users paste)
/// plans nothing; a real change names the attribute with the right action; a change by hand is drift naming the
/// attribute; omitting the field goes back to the default. To keep real Podman work bounded, each row is one
/// container (or network) and all rows of a phase are applied in one run (parallel actions), so a phase costs one
/// apply and one plan per spelling, not one per row.
@Suite(.enabled(if: PodmanFixture.isSupported)) struct ConvergenceCorpusTests {
    /// An expected change: the action and the attribute path it must name (the first component suffices for a
    /// path under it, `networks` for `networks.podman`).
    struct Expected: Sendable, CustomStringConvertible {
        var action: Action
        var path: String
        var description: String { "\(action.rawValue) naming \(path)" }
    }

    /// One row: a resource written one way, its equivalent spellings, a real change, and the field omitted.
    struct Row: Sendable {
        /// The schema field the row covers.
        var field: String
        /// The short name of the row's resource.
        var id: String
        /// The field as first written (YAML lines under the resource; `""`: omitted).
        var written: String
        /// Equivalent spellings, each of which must plan nothing once `written` is applied.
        var spellings: [String] = []
        /// A real change and what the plan must do.
        var change: (yaml: String, expected: Expected)?
        /// The field omitted (or the spelling that leaves the part out) after the change, and what the plan must
        /// do (`nil`: nothing, the omitted value is the runtime's choice).
        var omitted: (yaml: String, expected: Expected?)?
    }

    /// The values a row's YAML may use, filled in per stack.
    struct Tokens {
        var values: [String: String]

        func fill(_ text: String) -> String {
            var out = text
            for (key, value) in values { out = out.replacingOccurrences(of: "{\(key)}", with: value) }
            return out
        }
    }

    static let idle = PodmanFixture.idleCommand.map { "\"\($0)\"" }.joined(separator: ", ")

    // MARK: - Container rows

    /// Every container field (ContainerSpec+Schema.swift), one row or more each.
    static let containerRows: [Row] = [
        Row(
            field: "image", id: "image", written: "image: {IMG}",
            spellings: ["image: {SHORT}", "image: {IMGID}", "image: {IMGID12}"],
            change: ("image: {LAB}\ncommand: [\(idle)]", Expected(action: .replace, path: "image"))),
        Row(
            field: "image", id: "latest", written: "image: {LATEST}",
            spellings: ["image: {LATEST}:latest", "image: {LATESTSHORT}", "image: {LATESTSHORT}:latest"]),
        Row(field: "host", id: "host", written: "host: local", spellings: [""]),
        Row(field: "runtime", id: "runtime", written: "runtime: podman", spellings: [""]),
        Row(
            field: "command", id: "command", written: "command: [\"{CMD}\"]",
            spellings: ["", #"command: "\"{CMD}\"""#],
            change: (
                "command: [\"trap 'exit 0' INT TERM; sleep 99999 & wait\"]",
                Expected(action: .replace, path: "command")
            ),
            omitted: ("", Expected(action: .replace, path: "command"))),
        // An entrypoint given resets the image's CMD (as in Docker), so the command comes with it.
        Row(
            field: "entrypoint", id: "entrypoint", written: "entrypoint: [sh, -c]\ncommand: [\"{CMD}\"]",
            spellings: ["command: [\"{CMD}\"]", "entrypoint: sh -c\ncommand: [\"{CMD}\"]"],
            change: ("entrypoint: [/bin/sh, -c]\ncommand: [\"{CMD}\"]", Expected(action: .replace, path: "entrypoint")),
            omitted: ("command: [\"{CMD}\"]", Expected(action: .replace, path: "entrypoint"))),
        // The image's user `app` has a passwd entry, so Podman adds HOME=/home/app: not drift.
        Row(
            field: "env", id: "env", written: "env: { EXTRA: \"1\" }",
            spellings: ["env: { EXTRA: 1 }", "env: { EXTRA: \"1\", APP_MODE: production }"],
            change: ("env: { EXTRA: \"2\" }", Expected(action: .replace, path: "env.EXTRA")),
            omitted: ("", Expected(action: .replace, path: "env.EXTRA"))),
        Row(
            field: "envFiles", id: "envfiles", written: "envFiles: [app.env]",
            spellings: ["env: { FROMFILE: \"yes\" }", "envFiles: [./app.env]"],
            change: ("envFiles: [other.env]", Expected(action: .replace, path: "env.FROMFILE")),
            omitted: ("", Expected(action: .replace, path: "env.FROMFILE"))),
        Row(
            field: "networks", id: "networks", written: "networks: [{NET}]",
            spellings: ["networks: { {NET}: {} }", "networks: { {NET}: { aliases: [] } }"],
            change: ("networks: { {NET}: { aliases: [web] } }", Expected(action: .update, path: "networks.{NET}")),
            omitted: ("", Expected(action: .update, path: "networks"))),
        // `container:NAME` against Podman's `container:<64-hex ID>`.
        Row(
            field: "networks", id: "netns", written: "networks: [\"container:{BASE}\"]",
            change: ("networks: [{NET}]", Expected(action: .replace, path: "networkMode"))),
        Row(
            field: "ports", id: "ports", written: "ports: [\"127.0.0.1:{P1}:8080\"]",
            spellings: [
                "ports: [\"127.0.0.1:{P1}:8080/tcp\"]", "ports: [\"127.0.0.1:{P1}:8080/TCP\"]",
                "ports: [{ hostIP: 127.0.0.1, hostPort: {P1}, containerPort: 8080 }]",
                "ports: [{ hostIP: 127.0.0.1, hostPort: \"{P1}\", containerPort: \"8080\", protocol: tcp }]",
            ],
            change: ("ports: [\"127.0.0.1:{P1}:8081\"]", Expected(action: .replace, path: "ports")),
            omitted: ("", Expected(action: .replace, path: "ports"))),
        Row(
            field: "addHosts", id: "addhosts", written: "addHosts: [\"db.internal:10.0.0.5\"]",
            spellings: ["addHosts: [db.internal:10.0.0.5]"],
            change: ("addHosts: [\"db.internal:10.0.0.6\"]", Expected(action: .replace, path: "addHosts")),
            omitted: ("", Expected(action: .replace, path: "addHosts"))),
        Row(
            field: "capAdd", id: "capadd", written: "capAdd: [NET_BIND_SERVICE]",
            spellings: ["capAdd: [CAP_NET_BIND_SERVICE]", "capAdd: [net_bind_service]"],
            change: ("capAdd: [NET_BIND_SERVICE, NET_RAW]", Expected(action: .replace, path: "capAdd")),
            omitted: ("", Expected(action: .replace, path: "capAdd"))),
        Row(
            field: "capDrop", id: "capdrop", written: "capDrop: [NET_RAW]",
            spellings: ["capDrop: [cap_net_raw]", "capDrop: [NET_RAW, net_raw]"],
            change: ("capDrop: [ALL]", Expected(action: .replace, path: "capDrop")),
            omitted: ("", Expected(action: .replace, path: "capDrop"))),
        Row(
            field: "readOnly", id: "readonly", written: "readOnly: false", spellings: [""],
            change: ("readOnly: true", Expected(action: .replace, path: "readOnly")),
            omitted: ("", Expected(action: .replace, path: "readOnly"))),
        Row(
            field: "user", id: "user", written: "user: app", spellings: [""],
            change: ("user: root", Expected(action: .replace, path: "user")),
            omitted: ("", Expected(action: .replace, path: "user"))),
        // Bind sources are compared cleaned, as Podman reports them; an anonymous volume removed is removed, while
        // the image's own VOLUME /data is never compared.
        Row(
            field: "volumes", id: "volumes", written: "volumes: [\"./bind//:/mnt/bind/\", /anon]",
            spellings: [
                "volumes: [\"./bind:/mnt/bind\", /anon/]",
                "volumes: [{ source: ./bind/, target: /mnt/bind }, { target: /anon }]",
                "volumes: [\"{DIR}/bind/:/mnt//bind\", \"/anon\"]",
            ],
            change: ("volumes: [\"./bind:/mnt/bind:ro\", /anon]", Expected(action: .replace, path: "volumes")),
            omitted: ("volumes: [\"./bind:/mnt/bind:ro\"]", Expected(action: .replace, path: "volumes"))),
        Row(
            field: "tmpfs", id: "tmpfs", written: "tmpfs: [/scratch]",
            spellings: ["tmpfs: [/scratch/]", "tmpfs: [\"/scratch:rw\"]"],
            change: ("tmpfs: [\"/scratch:size=64k\"]", Expected(action: .replace, path: "tmpfs")),
            omitted: ("", Expected(action: .replace, path: "tmpfs"))),
        Row(
            field: "restart", id: "restart", written: "restart: \"no\"", spellings: [""],
            change: ("restart: on-failure:3", Expected(action: .replace, path: "restart")),
            omitted: ("", Expected(action: .replace, path: "restart"))),
        // The image's own labels are not the stack's; one set explicitly to the image's value is no change.
        Row(
            field: "labels", id: "labels", written: "labels: { app: web }",
            spellings: ["labels: { app: web, org.opencontainers.image.vendor: ocplan-tests }"],
            change: ("labels: { app: db }", Expected(action: .replace, path: "labels.app")),
            omitted: ("", Expected(action: .replace, path: "labels.app"))),
        Row(
            field: "healthcheck", id: "health", written: "healthcheck: { test: [\"true\"], interval: 1m }",
            spellings: [
                "healthcheck: { test: [\"true\"], interval: 60s }",
                "healthcheck: { test: [\"true\"], interval: 1m0s, timeout: 30s, retries: 3, startPeriod: 0s }",
            ],
            change: (
                "healthcheck: { test: [\"true\"], interval: 2m }",
                Expected(action: .replace, path: "healthcheck.interval")
            ),
            omitted: ("", Expected(action: .replace, path: "healthcheck"))),
        Row(
            field: "securityOpt", id: "secopt", written: "securityOpt: [no-new-privileges]",
            spellings: ["securityOpt: [\"no-new-privileges:true\"]"],
            change: (
                "securityOpt: [no-new-privileges, seccomp=unconfined]", Expected(action: .replace, path: "securityOpt")
            ),
            omitted: ("", Expected(action: .replace, path: "securityOpt"))),
        // Omitted means the image's WORKDIR (/work): an explicit `/` removed goes back to it.
        Row(
            field: "workdir", id: "workdir", written: "workdir: /tmp/",
            spellings: ["workdir: /tmp", "workdir: //tmp//"],
            change: ("workdir: /", Expected(action: .replace, path: "workdir")),
            omitted: ("", Expected(action: .replace, path: "workdir"))),
        Row(
            field: "workdir", id: "imagewd", written: "workdir: /work", spellings: ["", "workdir: /work/"]),
        Row(
            field: "dns", id: "dns", written: "dns: [127.0.0.53, \"::1\"]",
            spellings: ["dns: [127.0.0.53, \"0:0:0:0:0:0:0:1\"]"],
            change: ("dns: [127.0.0.54]", Expected(action: .replace, path: "dns")),
            omitted: ("", Expected(action: .replace, path: "dns"))),
        Row(
            field: "memory", id: "memory", written: "memory: 64m",
            spellings: ["memory: 64M", "memory: 65536k", "memory: \"67108864\"", "memory: 64MiB"],
            change: ("memory: 128m", Expected(action: .replace, path: "memory")),
            omitted: ("", Expected(action: .replace, path: "memory"))),
        Row(
            field: "cpus", id: "cpus", written: "cpus: 0.5", spellings: ["cpus: \"0.50\"", "cpus: \".5\""],
            change: ("cpus: 1", Expected(action: .replace, path: "cpus")),
            omitted: ("", Expected(action: .replace, path: "cpus"))),
        Row(
            field: "state", id: "state", written: "state: running", spellings: [""],
            change: ("state: stopped", Expected(action: .update, path: "state")),
            omitted: ("", Expected(action: .update, path: "state"))),
        Row(
            field: "ulimits", id: "ulimits", written: "ulimits: { nofile: 1024, nproc: 4096 }",
            spellings: [
                "ulimits: { nofile: \"1024:1024\", nproc: { soft: 4096, hard: 4096 } }",
                "ulimits: { nofile: 1024 }",
            ],
            change: ("ulimits: { nofile: 512, nproc: 4096 }", Expected(action: .replace, path: "ulimits.nofile")),
            omitted: ("", Expected(action: .replace, path: "ulimits"))),
        Row(
            field: "privileged", id: "privileged", written: "privileged: false", spellings: [""],
            change: ("privileged: true", Expected(action: .replace, path: "privileged")),
            omitted: ("", Expected(action: .replace, path: "privileged"))),
        // Omitted is the short container ID, which a re-created container changes: never a change by itself.
        Row(
            field: "hostname", id: "hostname", written: "hostname: web.internal",
            change: ("hostname: db.internal", Expected(action: .replace, path: "hostname")),
            omitted: ("", Expected(action: .replace, path: "hostname"))),
        // Compared as its number; omitted is the image's STOPSIGNAL (SIGINT), so SIGINT written is no change.
        Row(
            field: "stopSignal", id: "stopsignal", written: "stopSignal: SIGTERM",
            spellings: ["stopSignal: TERM", "stopSignal: sigterm", "stopSignal: 15"],
            change: ("stopSignal: SIGQUIT", Expected(action: .replace, path: "stopSignal")),
            omitted: ("", Expected(action: .replace, path: "stopSignal"))),
        Row(field: "stopSignal", id: "imagesignal", written: "stopSignal: SIGINT", spellings: ["", "stopSignal: 2"]),
        Row(
            field: "stopTimeout", id: "stoptimeout", written: "stopTimeout: 3",
            change: ("stopTimeout: 5", Expected(action: .replace, path: "stopTimeout")),
            omitted: ("", Expected(action: .replace, path: "stopTimeout"))),
        Row(field: "stopTimeout", id: "stopdefault", written: "stopTimeout: 10", spellings: [""]),
        Row(
            field: "tty", id: "tty", written: "tty: false", spellings: [""],
            change: ("tty: true", Expected(action: .replace, path: "tty")),
            omitted: ("", Expected(action: .replace, path: "tty"))),
        Row(
            field: "shmSize", id: "shm", written: "shmSize: 128m",
            spellings: ["shmSize: 128M", "shmSize: 131072k", "shmSize: \"134217728\"", "shmSize: 128MiB"],
            change: ("shmSize: 256m", Expected(action: .replace, path: "shmSize")),
            omitted: ("", Expected(action: .replace, path: "shmSize"))),
        Row(field: "shmSize", id: "shmdefault", written: "shmSize: 65536000b", spellings: [""]),
        // 0 and -1 both mean unlimited; omitted is containers.conf's 2048.
        Row(
            field: "pidsLimit", id: "pids", written: "pidsLimit: 0", spellings: ["pidsLimit: -1"],
            change: ("pidsLimit: 100", Expected(action: .replace, path: "pidsLimit")),
            omitted: ("", Expected(action: .replace, path: "pidsLimit"))),
        Row(field: "pidsLimit", id: "pidsdefault", written: "pidsLimit: 2048", spellings: [""]),
        Row(
            field: "groupAdd", id: "groups", written: "groupAdd: [app, \"1234\"]",
            spellings: ["groupAdd: [\"1234\", app]", "groupAdd: [app, \"1234\", app]"],
            change: ("groupAdd: [app]", Expected(action: .replace, path: "groupAdd")),
            omitted: ("", Expected(action: .replace, path: "groupAdd"))),
        // Podman 4.3 does not report sysctls: they are compared through the spec hash.
        Row(
            field: "sysctls", id: "sysctls", written: "sysctls: { net.ipv4.ip_unprivileged_port_start: 80 }",
            spellings: ["sysctls: { net.ipv4.ip_unprivileged_port_start: \"80\" }"],
            change: (
                "sysctls: { net.ipv4.ip_unprivileged_port_start: 81 }",
                Expected(action: .replace, path: "sysctls")
            ),
            omitted: ("", Expected(action: .replace, path: "sysctls"))),
        Row(field: "dependsOn", id: "depends", written: "dependsOn: [containers.{BASE}]", spellings: [""]),
        Row(field: "restartOn", id: "restarton", written: "restartOn: [containers.{BASE}]", spellings: [""]),
    ]

    /// The names and values the rows use.
    static func tokens(_ stack: PodmanStack, image: String) async throws -> Tokens {
        let id = try await PodmanFixture.podmanOutput(["image", "inspect", "--format", "{{.Id}}", image])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let latest = "localhost/\(stack.name("real"))"
        try await RealisticImage.tag(latest + ":latest", source: image)
        // Another image, by ID: a name added to an image can be lost while other processes tag it (Podman 4.3).
        var lab = try await PodmanFixture.podman(["image", "inspect", "--format", "{{.Id}}", stack.image])
        if !lab.succeeded {
            lab = try await PodmanFixture.podman(["image", "inspect", "--format", "{{.Id}}", PodmanFixture.baseImage])
        }
        let port = Int.random(in: 30_000...39_000)
        return Tokens(values: [
            "IMG": image, "SHORT": String(image.dropFirst("localhost/".count)), "IMGID": id,
            "IMGID12": String(id.prefix(12)), "LATEST": latest, "LATESTSHORT": stack.name("real"),
            "LAB": lab.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "CMD": RealisticImage.command,
            "NET": stack.name("net"), "BASE": stack.name("base"),
            "P1": String(port), "DIR": stack.manifestDirectory.path,
        ])
    }

    /// `lines` indented under a resource.
    static func indent(_ lines: String) -> String {
        lines.split(separator: "\n").map { "    " + $0 + "\n" }.joined()
    }

    /// The container manifest with each row's field given by `pick` (`nil`: as written).
    static func containers(_ rows: [Row], tokens: Tokens, subnet: String, pick: (Row) -> String?) -> String {
        var text = "networks:\n  {NET}: { subnet: \(subnet) }\ncontainers:\n  {BASE}:\n    image: {IMG}\n"
        for row in rows {
            let field = pick(row) ?? row.written
            text += "  \(name(row)):\n"
            if !field.contains("image:") { text += "    image: {IMG}\n" }
            text += indent(field)
        }
        return tokens.fill(text)
    }

    static func name(_ row: Row) -> String { "{PREFIX}-r-\(row.id)" }

    /// Checks that `plan` does exactly `expected` (by row) and nothing to any other resource.
    static func check(
        _ plan: Plan, phase: String, rows: [Row], section: String, tokens: Tokens, expected: (Row) -> Expected?
    ) {
        var wanted: [Address: (Row, Expected)] = [:]
        for row in rows {
            if let want = expected(row) { wanted[Address(section, tokens.fill(name(row)))] = (row, want) }
        }
        for change in plan.actions {
            guard let (row, want) = wanted[change.address] else {
                let message =
                    "\(phase): \(change.address) (row \(rowName(change.address, rows, tokens))) plans "
                    + "\(change.action.rawValue) of \(change.attributes.map(\.path.description)): expected nothing"
                Issue.record("\(message)")
                continue
            }
            let paths = change.attributes.map(\.path.description)
            let path = tokens.fill(want.path)
            #expect(
                change.action == want.action
                    && paths.contains { $0 == path || $0.hasPrefix(path + ".") || $0.hasPrefix(path + "[") },
                "\(phase): row \(row.field)/\(row.id) planned \(change.action.rawValue) of \(paths): expected \(want)")
        }
        for (address, (row, want)) in wanted where plan.actions.allSatisfy({ $0.address != address }) {
            Issue.record("\(phase): row \(row.field)/\(row.id) planned nothing: expected \(want)")
        }
    }

    static func rowName(_ address: Address, _ rows: [Row], _ tokens: Tokens) -> String {
        rows.first { tokens.fill(name($0)) == address.name }.map { "\($0.field)/\($0.id)" } ?? "none"
    }

    /// Applies the rows as written from empty, then checks that the second plan and every spelling plan nothing.
    static func applyAndCheckSpellings(
        _ rows: [Row], section: String, stack: PodmanStack, tokens: Tokens, _ manifest: ((Row) -> String?) -> String
    ) async throws {
        let written = manifest { _ in nil }
        let first = try await stack.plan(written)
        #expect(first.actions.allSatisfy { $0.action == .create })
        await stack.apply(first)
        check(
            try await stack.plan(written), phase: "second plan", rows: rows, section: section, tokens: tokens,
            expected: { _ in nil })
        for index in 0..<(rows.map(\.spellings.count).max() ?? 0) {
            let spelt = manifest { $0.spellings.indices.contains(index) ? $0.spellings[index] : nil }
            check(
                try await stack.plan(spelt), phase: "spelling \(index + 1)", rows: rows, section: section,
                tokens: tokens, expected: { _ in nil })
        }
    }

    /// Plans every real change (the action naming the attribute), applies it and checks the next plan is empty;
    /// then the same for every omission, from the changed state.
    static func changeAndOmit(
        _ rows: [Row], section: String, stack: PodmanStack, tokens: Tokens, _ manifest: ((Row) -> String?) -> String
    ) async throws {
        let phases: [(String, (Row) -> String?, (Row) -> Expected?)] = [
            ("change", { $0.change?.yaml }, { $0.change?.expected }),
            ("omitted", { $0.omitted?.yaml ?? $0.change?.yaml }, { $0.omitted?.expected ?? nil }),
        ]
        for (phase, pick, expected) in phases {
            let edited = manifest(pick)
            let plan = try await stack.plan(edited)
            check(plan, phase: phase, rows: rows, section: section, tokens: tokens, expected: expected)
            #expect(plan.actions.allSatisfy { $0.cause == .manifest }, "\(phase): \(plan.actions.map(\.cause))")
            await stack.apply(plan)
            check(
                try await stack.plan(edited), phase: "after \(phase)", rows: rows, section: section, tokens: tokens,
                expected: { _ in nil })
        }
    }

    /// Every container row: applied from empty, then the second plan is empty; each spelling plans nothing; each
    /// change plans its action naming its attribute, and converges; each omission goes back to the default.
    @Test(.timeLimit(.minutes(10)))
    func everyContainerFieldConvergesOnTheRealisticImage() async throws {
        try await withPodmanStack { stack in
            let image = try await RealisticImage.tag(for: stack)
            var tokens = try await Self.tokens(stack, image: image)
            tokens.values["PREFIX"] = stack.prefix
            try stack.manifestDirectory.write("FROMFILE=yes\n", to: "app.env")
            try stack.manifestDirectory.write("FROMFILE=no\n", to: "other.env")
            try stack.manifestDirectory.write("x\n", to: "bind/file")
            let rows = Self.containerRows
            let subnet = try await PodmanFixture.freeSubnet()
            let manifest = { (pick: (Row) -> String?) in
                Self.containers(rows, tokens: tokens, subnet: subnet, pick: pick)
            }

            try await Self.applyAndCheckSpellings(rows, section: "containers", stack: stack, tokens: tokens, manifest)
            try await Self.changeAndOmit(rows, section: "containers", stack: stack, tokens: tokens, manifest)

            // What the defaults are on the host: the image's WORKDIR and USER, no anonymous volume but the image's.
            let name = { (id: String) in stack.name("r-\(id)") }
            #expect(try await stack.inspect(name("workdir"), "{{.Config.WorkingDir}}") == "/work")
            #expect(try await stack.inspect(name("user"), "{{.Config.User}}") == "app")
            let mounts = try await stack.inspect(name("volumes"), "{{range .Mounts}}{{.Destination}} {{end}}")
            #expect(mounts.split(separator: " ").sorted() == ["/data", "/mnt/bind"], "\(mounts)")
            let env = try await PodmanFixture.podmanOutput(["exec", name("env"), "env"])
            #expect(env.contains("HOME=/home/app"), "Podman's HOME from the image's passwd: \(env)")
        }
    }

    // MARK: - Changes by hand

    /// A container changed by hand: the command that does it, and what the plan must do (`nil`: nothing, the
    /// change is not the stack's to manage).
    struct HandRow: Sendable {
        var field: String
        var id: String
        var written: String
        /// `podman create` options of the by-hand re-creation (with the stack's labels copied), or `nil` for
        /// ``command``.
        var recreate: [String]?
        /// A podman command run as it is (`NAME` is the container).
        var command: [String]?
        var expected: Expected?
    }

    static let handRows: [HandRow] = [
        HandRow(
            field: "state", id: "state", written: "", command: ["stop", "--time", "0", "NAME"],
            expected: Expected(action: .update, path: "state")),
        HandRow(
            field: "networks", id: "networks", written: "networks: [{NET}]",
            command: ["network", "connect", "podman", "NAME"], expected: Expected(action: .update, path: "networks")),
        HandRow(
            field: "env", id: "env", written: "", recreate: ["--env", "APP_MODE=debug"],
            expected: Expected(action: .replace, path: "env.APP_MODE")),
        HandRow(
            field: "labels", id: "labels", written: "labels: { app: web }", recreate: ["--label", "app=other"],
            expected: Expected(action: .replace, path: "labels.app")),
        // A label other machinery adds (a systemd unit) is not the stack's.
        HandRow(
            field: "labels", id: "systemd", written: "labels: { app: web }",
            recreate: ["--label", "app=web", "--label", "PODMAN_SYSTEMD_UNIT=container-x.service"], expected: nil),
        HandRow(
            field: "workdir", id: "workdir", written: "", recreate: ["--workdir", "/tmp"],
            expected: Expected(action: .replace, path: "workdir")),
        HandRow(
            field: "user", id: "user", written: "", recreate: ["--user", "root"],
            expected: Expected(action: .replace, path: "user")),
        HandRow(
            field: "volumes", id: "volumes", written: "", recreate: ["--volume", "/extra"],
            expected: Expected(action: .replace, path: "volumes")),
        HandRow(
            field: "ports", id: "ports", written: "", recreate: ["--publish", "127.0.0.1:{P1}:8080"],
            expected: Expected(action: .replace, path: "ports")),
        HandRow(
            field: "privileged", id: "privileged", written: "", recreate: ["--privileged"],
            expected: Expected(action: .replace, path: "privileged")),
        HandRow(
            field: "hostname", id: "hostname", written: "", recreate: ["--hostname", "byhand"],
            expected: Expected(action: .replace, path: "hostname")),
        HandRow(
            field: "stopTimeout", id: "stoptimeout", written: "", recreate: ["--stop-timeout", "2"],
            expected: Expected(action: .replace, path: "stopTimeout")),
        HandRow(
            field: "pidsLimit", id: "pids", written: "", recreate: ["--pids-limit", "100"],
            expected: Expected(action: .replace, path: "pidsLimit")),
        HandRow(
            field: "image", id: "image", written: "", recreate: ["IMAGE={LAB}"] + PodmanFixture.idleCommand,
            expected: Expected(action: .replace, path: "image")),
    ]

    /// Every change by hand is drift naming the attribute (or, for other machinery's labels, nothing); apply heals.
    @Test(.timeLimit(.minutes(10)))
    func aChangeByHandIsDriftNamingTheAttribute() async throws {
        try await withPodmanStack { stack in
            let image = try await RealisticImage.tag(for: stack)
            var tokens = try await Self.tokens(stack, image: image)
            tokens.values["PREFIX"] = stack.prefix
            let rows = Self.handRows.map { Row(field: $0.field, id: $0.id, written: $0.written) }
            let subnet = try await PodmanFixture.freeSubnet()
            let manifest = Self.containers(rows, tokens: tokens, subnet: subnet) { _ in nil }
            try await stack.converge(manifest)
            #expect(try await stack.plan(manifest).actions.isEmpty)

            for row in Self.handRows {
                let name = stack.name("r-\(row.id)")
                if let command = row.command {
                    try await PodmanFixture.podmanOutput(command.map { $0 == "NAME" ? name : tokens.fill($0) })
                } else if let options = row.recreate {
                    try await Self.recreateByHand(name, image: image, options: options.map(tokens.fill))
                }
            }
            let drift = try await stack.plan(manifest)
            let hand = Self.handRows
            Self.check(drift, phase: "by hand", rows: rows, section: "containers", tokens: tokens) { row in
                hand.first { $0.id == row.id }?.expected
            }
            #expect(drift.actions.allSatisfy { $0.cause == .drift }, "\(drift.actions.map { ($0.address, $0.cause) })")
            await stack.apply(drift)
            #expect(try await stack.plan(manifest).actions.isEmpty)
        }
    }

    /// Removes the container and creates it again by hand with its labels (the stack's marks included) and `options`
    /// (`IMAGE=REF` runs another image; words after it are the command), then starts it.
    static func recreateByHand(_ name: String, image: String, options: [String]) async throws {
        let labels = try await PodmanFixture.podmanOutput([
            "container", "inspect", "--format", "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}\n{{end}}", name,
        ])
        try await PodmanFixture.podmanOutput(["rm", "--force", "--volumes", "--time", "0", name])
        var argv = ["create", "--name", name]
        for label in labels.split(separator: "\n") where label.hasPrefix(PodmanLabels.prefix) {
            argv += ["--label", String(label)]
        }
        var run = [image]
        if let index = options.firstIndex(where: { $0.hasPrefix("IMAGE=") }) {
            argv += options[..<index]
            run = [String(options[index].dropFirst("IMAGE=".count))] + options[(index + 1)...]
        } else {
            argv += options
        }
        try await PodmanFixture.podmanOutput(argv + run)
        try await PodmanFixture.podmanOutput(["start", name])
    }

    // MARK: - Network rows

    /// Every network field (NetworkSpec.swift).
    static let networkRows: [Row] = [
        Row(field: "host", id: "host", written: "host: local", spellings: [""]),
        Row(field: "runtime", id: "runtime", written: "runtime: podman", spellings: [""]),
        Row(field: "driver", id: "driver", written: "driver: bridge", spellings: [""]),
        Row(
            field: "internal", id: "internal", written: "internal: false", spellings: [""],
            change: ("internal: true", Expected(action: .replace, path: "internal")),
            omitted: ("", Expected(action: .replace, path: "internal"))),
        Row(
            field: "subnet", id: "subnet", written: "subnet: {S1}.0/24", spellings: ["subnet: \"{S1}.0/24\""],
            change: ("subnet: {S2}.0/24", Expected(action: .replace, path: "subnet")),
            omitted: ("", nil)),
        Row(
            field: "gateway", id: "gateway", written: "subnet: {S3}.0/24\ngateway: {S3}.1",
            spellings: ["subnet: {S3}.0/24"],
            change: ("subnet: {S3}.0/24\ngateway: {S3}.254", Expected(action: .replace, path: "gateway")),
            omitted: ("subnet: {S3}.0/24", Expected(action: .replace, path: "gateway"))),
        // Podman reports the range as its first and last lease; it is compared as the block.
        Row(
            field: "ipRange", id: "iprange", written: "subnet: {S4}.0/24\nipRange: {S4}.128/25",
            spellings: ["subnet: {S4}.0/24\nipRange: \"{S4}.128/25\""],
            change: ("subnet: {S4}.0/24\nipRange: {S4}.64/26", Expected(action: .replace, path: "ipRange")),
            omitted: ("subnet: {S4}.0/24", Expected(action: .replace, path: "ipRange"))),
        Row(
            field: "ipv6", id: "ipv6", written: "ipv6: false", spellings: [""],
            change: ("ipv6: true", Expected(action: .replace, path: "ipv6")),
            omitted: ("", Expected(action: .replace, path: "ipv6"))),
        Row(
            field: "ipv6Subnet", id: "ipv6subnet", written: "ipv6: true\nipv6Subnet: \"{V6}::/64\"",
            spellings: ["ipv6: true\nipv6Subnet: \"{V6}:0:0:0:0/64\""],
            change: ("ipv6: true\nipv6Subnet: \"{V6B}::/64\"", Expected(action: .replace, path: "ipv6Subnet")),
            omitted: ("ipv6: true", nil)),
        Row(
            field: "dns", id: "dns", written: "dns: true", spellings: [""],
            change: ("dns: false", Expected(action: .replace, path: "dns")),
            omitted: ("", Expected(action: .replace, path: "dns"))),
        Row(
            field: "labels", id: "labels", written: "labels: { purpose: test }",
            spellings: ["labels: { purpose: \"test\" }"],
            change: ("labels: { purpose: other }", Expected(action: .replace, path: "labels.purpose")),
            omitted: ("", Expected(action: .replace, path: "labels.purpose"))),
        Row(
            field: "options", id: "options", written: "options: { mtu: \"1400\" }",
            spellings: ["options: { mtu: 1400 }"],
            change: ("options: { mtu: \"1300\" }", Expected(action: .replace, path: "options.mtu")),
            omitted: ("", Expected(action: .replace, path: "options.mtu"))),
    ]

    /// The network manifest with each row's field given by `pick` (`nil`: as written); every network but the
    /// `internal` row's is internal (no route out is needed).
    static func networks(_ rows: [Row], tokens: Tokens, pick: (Row) -> String?) -> String {
        var text = "networks:\n"
        for row in rows {
            text += "  \(name(row)):\n"
            if row.field != "internal" { text += "    internal: true\n" }
            text += indent(pick(row) ?? row.written)
            if row.field == "internal", (pick(row) ?? row.written).isEmpty { text += "    labels: {}\n" }
        }
        return tokens.fill(text)
    }

    /// Every network row, and a network changed by hand (re-created with another label) is drift naming it.
    @Test(.timeLimit(.minutes(5)))
    func everyNetworkFieldConverges() async throws {
        try await withPodmanStack { stack in
            var values: [String: String] = ["PREFIX": stack.prefix]
            for key in ["S1", "S2", "S3", "S4"] {
                var subnet = try await PodmanFixture.freeSubnet()
                while values.values.contains(String(subnet.dropLast(5))) {
                    subnet = try await PodmanFixture.freeSubnet()
                }
                values[key] = String(subnet.dropLast(5))  // 10.x.y
            }
            let hex = { String(UInt16.random(in: 0x1000...0xFFFF), radix: 16) }
            values["V6"] = "fd\(hex().prefix(2)):\(hex()):\(hex()):\(hex())"
            values["V6B"] = "fd\(hex().prefix(2)):\(hex()):\(hex()):\(hex())"
            let tokens = Tokens(values: values)
            let rows = Self.networkRows
            let manifest = { (pick: (Row) -> String?) in Self.networks(rows, tokens: tokens, pick: pick) }

            try await Self.applyAndCheckSpellings(rows, section: "networks", stack: stack, tokens: tokens, manifest)
            let written = manifest { _ in nil }

            // By hand: the labels network re-created with another label (its marks copied) is drift.
            let labelled = tokens.fill("{PREFIX}-r-labels")
            let marks = try await PodmanFixture.podmanOutput([
                "network", "inspect", "--format", "{{range $k, $v := .Labels}}{{$k}}={{$v}}\n{{end}}", labelled,
            ])
            try await PodmanFixture.podmanOutput(["network", "rm", "--force", labelled])
            var argv = ["network", "create", "--internal", "--label", "purpose=by-hand"]
            for mark in marks.split(separator: "\n") where mark.hasPrefix(PodmanLabels.prefix) {
                argv += ["--label", String(mark)]
            }
            try await PodmanFixture.podmanOutput(argv + [labelled])
            let drift = try await stack.plan(written)
            Self.check(drift, phase: "by hand", rows: rows, section: "networks", tokens: tokens) { row in
                row.id == "labels" ? Expected(action: .replace, path: "labels.purpose") : nil
            }
            #expect(drift.actions.map(\.cause) == [.drift])
            await stack.apply(drift)

            try await Self.changeAndOmit(rows, section: "networks", stack: stack, tokens: tokens, manifest)
        }
    }
}
