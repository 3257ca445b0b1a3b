import Foundation
import Logging
import OCAppleContainer
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

// MARK: - Recorded outputs

/// Outputs of Apple's `container` CLI in the shapes of reference §3 (taken from its samples; no Mac was
/// available to record them, so they are checked against the apple/container sources the reference names).
enum AppleContainerOutput {
    /// `container network list --format json`, 0.5 – 0.12 (`PrintableNetwork`).
    static let networksV0 = """
        [{"id":"oc-internal","state":"running",
          "config":{"id":"oc-internal","mode":"nat","subnet":"192.168.100.0/24","labels":{"oc.owner":"lab"}},
          "status":{"address":"192.168.100.0/24","gateway":"192.168.100.1"}}]
        """

    /// `container network list --format json`, 1.0+ (`NetworkResource`, keys sorted, ISO-8601 dates).
    static let networksV1 = """
        [{"configuration":{"creationDate":"2026-06-10T09:00:00Z","ipv4Subnet":"192.168.100.0/24",
           "labels":{"oc.owner":"lab"},"mode":"hostOnly","name":"oc-internal","options":{},
           "plugin":"container-network-vmnet"},
          "id":"oc-internal",
          "status":{"ipv4Gateway":"192.168.100.1","ipv4Subnet":"192.168.100.0/24"}}]
        """

    /// `container list --all --format json`, 0.5 shape (`PrintableContainer`, attachment `address`/`gateway`).
    static let containersV05 = """
        [{"status":"running",
          "configuration":{"id":"headscale","image":{"reference":"docker.io/headscale/headscale:0.28.0","descriptor":{}},
            "labels":{"oc.owner":"lab"},"publishedPorts":[],"networks":[{"network":"default","options":{"hostname":"headscale"}}],
            "resources":{"cpus":4,"memoryInBytes":1073741824},"runtimeHandler":"container-runtime-linux"},
          "networks":[{"network":"default","hostname":"headscale.","address":"192.168.64.3/24","gateway":"192.168.64.1"}]}]
        """

    /// `container list --all --format json`, 0.8 – 0.12 attachments (`ipv4Address`, `ipv4Gateway`), a date as
    /// Foundation's default number and a stopped container.
    static let containersV08 = """
        [{"status":"stopped","startedDate":771234567.25,
          "configuration":{"id":"web","image":{"reference":"docker.io/library/nginx:latest","descriptor":{}},
            "labels":{},"publishedPorts":[{"hostAddress":"0.0.0.0","hostPort":8080,"containerPort":80,"proto":"tcp"}],
            "networks":[{"network":"default","options":{"hostname":"web"}}],
            "resources":{"cpus":4,"memoryInBytes":1073741824}},
          "networks":[{"network":"default","hostname":"web.","ipv4Address":"192.168.64.4/24","ipv4Gateway":"192.168.64.1",
            "macAddress":"02:42:ac:11:00:02"}]}]
        """

    /// `container list --all --format json`, 1.0+ shape (`ManagedContainer`).
    static let containersV1 = """
        [{"configuration":{"id":"headscale","image":{"reference":"docker.io/headscale/headscale:0.28.0","descriptor":{}},
           "labels":{"oc.owner":"lab"},
           "publishedPorts":[{"containerPort":8080,"count":1,"hostAddress":"127.0.0.1","hostPort":8080,"proto":"tcp"}],
           "resources":{"cpus":2,"memoryInBytes":536870912},"creationDate":"2026-06-10T09:01:00Z"},
          "id":"headscale",
          "status":{"state":"running","startedDate":"2026-06-10T09:01:03Z",
            "networks":[{"network":"oc-internal","hostname":"headscale.","ipv4Address":"192.168.100.2/24","ipv4Gateway":"192.168.100.1"}]}}]
        """

    /// A 1.x element with the fields the samples leave out, in `ContainerConfiguration`'s encoding
    /// (`initProcess`, `mounts` with enum-as-object `type`, `dns`, `readOnly`, capabilities).
    static let containerV1Full = """
        [{"configuration":{"id":"proxy","image":{"reference":"docker.io/ubuntu/squid:6.6","descriptor":{}},
           "labels":{"io.ocplan.stack":"lab","io.ocplan.address":"containers.proxy","io.ocplan.spec-hash":"0123456789abcdef","role":"edge"},
           "publishedPorts":[{"containerPort":53,"count":1,"hostAddress":"::1","hostPort":5353,"proto":"udp"},
                             {"containerPort":8000,"count":11,"hostAddress":"0.0.0.0","hostPort":9000,"proto":"tcp"}],
           "mounts":[{"type":{"virtiofs":{}},"source":"/Users/me/stack/squid/squid.conf","destination":"/etc/squid/squid.conf","options":["ro"]},
                     {"type":{"volume":{"name":"cache","format":"ext4","cache":{"on":{}},"sync":{"fsync":{}}}},"source":"/var/lib/container/volumes/cache/volume.img","destination":"/var/cache/squid/","options":[]},
                     {"type":{"tmpfs":{}},"source":"tmpfs","destination":"/run","options":[]}],
           "networks":[{"network":"oc-internal","options":{"hostname":"proxy"}},{"network":"default","options":{"hostname":"proxy"}}],
           "dns":null,
           "initProcess":{"executable":"/usr/sbin/squid","arguments":["-N"],"environment":["PATH=/usr/bin:/bin","HTTP_PORT=3128","EMPTY="],
             "workingDirectory":"/srv/","terminal":false,"user":{"raw":{"userString":"proxy"}},"supplementalGroups":[],"rlimits":[]},
           "resources":{"cpus":1,"memoryInBytes":268435456},"readOnly":true,"capAdd":["net_bind_service"],"capDrop":["ALL"]},
          "id":"proxy","status":{"state":"stopping","networks":[]}}]
        """

    /// `container system status` standard output when the API server is down (exit status 1).
    static let statusNotRunning = "apiserver is not running\n"
    /// `container system status` standard output when launchd does not know the API server (exit status 1).
    static let statusUnregistered = "apiserver is not running and not registered with launchd\n"
}

// MARK: - Engine harness

/// Plans and applies manifests through the real engine against a ``FakeAppleContainerCLI`` on host `mac`.
final class AppleContainerStack: EngineHarnessWrapper, Sendable {
    let fake: FakeAppleContainerCLI
    let harness: EngineHarness

    init(
        _ fake: FakeAppleContainerCLI = FakeAppleContainerCLI(), providers: [any Provider] = [AppleContainerProvider()]
    ) throws {
        self.fake = fake
        harness = try EngineHarness(
            header: "hosts:\n  mac: { transport: local, os: macos }\n",
            catalog: SpecCatalog([NetworkSpec.self, ContainerSpec.self]), providers: providers, runner: fake)
    }

    /// Loads `body` (sections after the header) as the manifest.
    func load(_ body: String) async throws -> (Manifest?, Diagnostics) { try await harness.load(body) }
}

/// Small builders shared by the Apple container suites.
enum AppleFixture {
    static let mac = OCCore.Host(name: "mac", transport: .local, os: .macos)

    static func observe(
        _ targets: [ObserveTarget], runner: any CommandRunner, stack: String = "lab"
    ) async throws -> ObserveResponse {
        try await AppleContainerProvider().observe(
            ObserveRequest(stack: stack, host: mac, runner: runner, targets: targets, logger: Logger(label: "test")))
    }

    static func commands(_ change: Change, stack: String = "lab") throws -> [[String]] {
        try AppleContainerProvider().commands(
            for: change, context: ChangeContext(stack: stack, host: mac, privateState: nil)
        ).map(\.argv)
    }

    static func change(_ address: Address, _ action: Action, before: Value? = nil, after: Value? = nil) -> Change {
        Change(
            address: address, provider: "apple-container", host: mac, action: action, cause: .manifest,
            before: before, after: after)
    }

    static func container(_ yaml: String) throws -> ContainerSpec {
        try SpecDecoding.decode(ContainerSpec.self, yaml: "runtime: apple\n" + yaml)
    }

    static func network(_ yaml: String) throws -> NetworkSpec {
        try SpecDecoding.decode(NetworkSpec.self, yaml: "runtime: apple\n" + yaml)
    }

    static func data(_ text: String) -> Data { Data(text.utf8) }
}
