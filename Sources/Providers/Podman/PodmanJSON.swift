import Foundation
import OCCore

/// The JSON shapes of Podman's `--format json` and `inspect` output that the provider reads.
///
/// Every field is optional: Podman omits empty maps (`labels`, `options`), prints `null` for empty lists,
/// and versions differ (`Config.Entrypoint` is a string in 4.x and a list in 5.x). Only the fields listed
/// in docs/providers/podman.md are decoded.
enum PodmanJSON {
    // MARK: - Networks

    /// One element of `podman network ls --format json` or `podman network inspect`.
    struct Network: Decodable, Sendable, Equatable {
        /// One subnet with its gateway and allocation range.
        struct Subnet: Decodable, Sendable, Equatable {
            var subnet: String?
            var gateway: String?
            var leaseRange: LeaseRange?

            enum CodingKeys: String, CodingKey {
                case subnet, gateway
                case leaseRange = "lease_range"
            }
        }

        /// `lease_range` of a subnet.
        struct LeaseRange: Decodable, Sendable, Equatable {
            var startIP: String?
            var endIP: String?

            enum CodingKeys: String, CodingKey {
                case startIP = "start_ip"
                case endIP = "end_ip"
            }
        }

        var name: String
        var id: String?
        var driver: String?
        var subnets: [Subnet]?
        var ipv6Enabled: Bool?
        var isInternal: Bool?
        var dnsEnabled: Bool?
        var labels: [String: String]?
        var options: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name, id, driver, subnets, labels, options
            case ipv6Enabled = "ipv6_enabled"
            case isInternal = "internal"
            case dnsEnabled = "dns_enabled"
        }
    }

    // MARK: - Volumes

    /// One element of `podman volume ls --format json` or `podman volume inspect`.
    struct Volume: Decodable, Sendable, Equatable {
        var name: String
        var driver: String?
        var labels: [String: String]?
        var options: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case driver = "Driver"
            case labels = "Labels"
            case options = "Options"
        }
    }

    // MARK: - Containers

    /// One element of `podman ps -a --format json` (used to find the stack's containers).
    struct ContainerListEntry: Decodable, Sendable, Equatable {
        var id: String?
        var names: [String]?
        var labels: [String: String]?
        var state: String?
        var imageID: String?

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case names = "Names"
            case labels = "Labels"
            case state = "State"
            case imageID = "ImageID"
        }
    }

    /// One element of `podman container inspect`.
    struct Container: Decodable, Sendable, Equatable {
        var id: String
        var name: String
        var path: String?
        var args: [String]?
        var state: State?
        var image: String?
        var imageName: String?
        var config: Config?
        var hostConfig: HostConfig?
        var networkSettings: NetworkSettings?
        var mounts: [Mount]?

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case name = "Name"
            case path = "Path"
            case args = "Args"
            case state = "State"
            case image = "Image"
            case imageName = "ImageName"
            case config = "Config"
            case hostConfig = "HostConfig"
            case networkSettings = "NetworkSettings"
            case mounts = "Mounts"
        }

        /// `.State`.
        struct State: Decodable, Sendable, Equatable {
            var status: String?
            var running: Bool?

            enum CodingKeys: String, CodingKey {
                case status = "Status"
                case running = "Running"
            }
        }

        /// `.Config`.
        struct Config: Decodable, Sendable, Equatable {
            var user: String?
            var env: [String]?
            var cmd: [String]?
            var image: String?
            var workingDir: String?
            var entrypoint: StringOrList?
            var labels: [String: String]?
            var healthcheck: Healthcheck?
            var hostname: String?
            var stopSignal: Int?
            var stopTimeout: Int?
            var tty: Bool?

            enum CodingKeys: String, CodingKey {
                case hostname = "Hostname"
                case stopSignal = "StopSignal"
                case stopTimeout = "StopTimeout"
                case tty = "Tty"
                case user = "User"
                case env = "Env"
                case cmd = "Cmd"
                case image = "Image"
                case workingDir = "WorkingDir"
                case entrypoint = "Entrypoint"
                case labels = "Labels"
                case healthcheck = "Healthcheck"
            }
        }

        /// `.HostConfig`.
        struct HostConfig: Decodable, Sendable, Equatable {
            var portBindings: [String: [PortBinding]?]?
            var restartPolicy: RestartPolicy?
            var capAdd: [String]?
            var capDrop: [String]?
            var dns: [String]?
            var extraHosts: [String]?
            var readonlyRootfs: Bool?
            var securityOpt: [String]?
            var tmpfs: [String: String]?
            var memory: Int?
            var nanoCpus: Int?
            var ulimits: [Ulimit]?
            var networkMode: String?
            var privileged: Bool?
            var shmSize: Int?
            var pidsLimit: Int?
            var groupAdd: [String]?

            enum CodingKeys: String, CodingKey {
                case privileged = "Privileged"
                case shmSize = "ShmSize"
                case pidsLimit = "PidsLimit"
                case groupAdd = "GroupAdd"
                case portBindings = "PortBindings"
                case restartPolicy = "RestartPolicy"
                case capAdd = "CapAdd"
                case capDrop = "CapDrop"
                case dns = "Dns"
                case extraHosts = "ExtraHosts"
                case readonlyRootfs = "ReadonlyRootfs"
                case securityOpt = "SecurityOpt"
                case tmpfs = "Tmpfs"
                case memory = "Memory"
                case nanoCpus = "NanoCpus"
                case ulimits = "Ulimits"
                case networkMode = "NetworkMode"
            }
        }

        /// One host binding of a published port (the port is a string here).
        struct PortBinding: Decodable, Sendable, Equatable {
            var hostIP: String?
            var hostPort: String?

            enum CodingKeys: String, CodingKey {
                case hostIP = "HostIp"
                case hostPort = "HostPort"
            }
        }

        /// `.HostConfig.RestartPolicy`.
        struct RestartPolicy: Decodable, Sendable, Equatable {
            var name: String?
            var maximumRetryCount: Int?

            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case maximumRetryCount = "MaximumRetryCount"
            }
        }

        /// One of `.HostConfig.Ulimits`.
        struct Ulimit: Decodable, Sendable, Equatable {
            var name: String
            var soft: Int
            var hard: Int

            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case soft = "Soft"
                case hard = "Hard"
            }
        }

        /// `.NetworkSettings`.
        struct NetworkSettings: Decodable, Sendable, Equatable {
            var networks: [String: Attachment]?

            enum CodingKeys: String, CodingKey {
                case networks = "Networks"
            }
        }

        /// One of `.NetworkSettings.Networks` (addresses are empty strings while the container is stopped).
        struct Attachment: Decodable, Sendable, Equatable {
            var ipAddress: String?
            var globalIPv6Address: String?
            var aliases: [String]?

            enum CodingKeys: String, CodingKey {
                case ipAddress = "IPAddress"
                case globalIPv6Address = "GlobalIPv6Address"
                case aliases = "Aliases"
            }
        }

        /// One of `.Mounts`.
        struct Mount: Decodable, Sendable, Equatable {
            var type: String?
            var name: String?
            var source: String?
            var destination: String
            var readWrite: Bool?

            enum CodingKeys: String, CodingKey {
                case type = "Type"
                case name = "Name"
                case source = "Source"
                case destination = "Destination"
                case readWrite = "RW"
            }
        }
    }

    /// A health check as `inspect` reports it (durations in nanoseconds, the test prefixed with `CMD`).
    struct Healthcheck: Decodable, Sendable, Equatable {
        var test: [String]?
        var startPeriod: Int?
        var interval: Int?
        var timeout: Int?
        var retries: Int?

        enum CodingKeys: String, CodingKey {
            case test = "Test"
            case startPeriod = "StartPeriod"
            case interval = "Interval"
            case timeout = "Timeout"
            case retries = "Retries"
        }
    }

    /// A value Podman 4 prints as a string and Podman 5 as a list of strings (`Config.Entrypoint`).
    enum StringOrList: Decodable, Sendable, Equatable {
        /// Podman 4.x: the words joined by spaces (lossy).
        case string(String)
        /// Podman 5.x: the argv.
        case list([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .string(text)
            } else {
                self = .list(try container.decode([String].self))
            }
        }
    }

    // MARK: - Images

    /// One element of `podman images --format json`.
    struct ImageListEntry: Decodable, Sendable, Equatable {
        var id: String
        var names: [String]?
        var repoDigests: [String]?
        var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case names = "Names"
            case repoDigests = "RepoDigests"
            case labels = "Labels"
        }
    }

    /// One element of `podman image inspect`: the defaults a container inherits from its image.
    struct Image: Decodable, Sendable, Equatable {
        var id: String
        var config: Config?
        /// The health check of a Docker-format image (OCI images have none).
        var healthCheck: Healthcheck?
        /// Its tags (`localhost/x:tag`), as `podman images` lists them in `Names`.
        var repoTags: [String]?
        var repoDigests: [String]?
        var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case id = "Id"
            case config = "Config"
            case healthCheck = "HealthCheck"
            case repoTags = "RepoTags"
            case repoDigests = "RepoDigests"
            case labels = "Labels"
        }

        /// The image as `podman images` lists it: what a read-back learns without listing every image.
        var listEntry: ImageListEntry {
            ImageListEntry(id: id, names: repoTags, repoDigests: repoDigests, labels: labels)
        }

        /// `.Config` of an image.
        struct Config: Decodable, Sendable, Equatable {
            var user: String?
            var env: [String]?
            var cmd: [String]?
            var entrypoint: [String]?
            var workingDir: String?
            var labels: [String: String]?
            var healthcheck: Healthcheck?
            /// The image's `VOLUME`s by container path (each value is `{}`).
            var volumes: [String: Empty]?
            var stopSignal: String?

            enum CodingKeys: String, CodingKey {
                case stopSignal = "StopSignal"
                case user = "User"
                case env = "Env"
                case cmd = "Cmd"
                case entrypoint = "Entrypoint"
                case workingDir = "WorkingDir"
                case labels = "Labels"
                case healthcheck = "Healthcheck"
                case volumes = "Volumes"
            }

            /// An empty JSON object.
            struct Empty: Decodable, Sendable, Equatable {}
        }
    }

    // MARK: - Decoding

    /// Decodes a JSON array printed by Podman; empty output counts as an empty array.
    ///
    /// `inspect` of several names where some do not exist exits 125 but still prints the ones it found
    /// (verified on 4.3.1), so callers decode stdout whatever the exit status.
    ///
    /// - Parameters:
    ///   - type: the element type.
    ///   - data: standard output.
    /// - Returns: the elements.
    /// - Throws: `DecodingError` when the output is not a JSON array of `type`.
    static func decodeArray<T: Decodable>(_ type: T.Type, from data: Data) throws -> [T] {
        let trimmed = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed == "null" { return [] }
        return try JSONDecoder().decode([T].self, from: Data(trimmed.utf8))
    }
}
