import Foundation
import OCCore

/// A published port: `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`.
///
/// Written either as Podman's string form (`127.0.0.1:3478:3478/udp`, `[::1]:8080:80`, `8000-8010:8000-8010`)
/// or as an object (`{hostIP: 127.0.0.1, hostPort: 8080, containerPort: 80, protocol: tcp}`); both decode
/// to this one value. Decoding checks only the shape; ``ContainerSpec/validate(in:)`` checks port numbers,
/// range lengths, the host address and the protocol, so every mistake is reported with its location.
package struct PortMapping: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The host address to bind (`127.0.0.1`); `nil` binds every address.
    package var hostIP: String?
    /// The host port or range; `nil` lets the runtime pick a free port.
    package var hostPort: PortRange?
    /// The container port or range.
    package var containerPort: PortRange
    /// `tcp`, `udp` or `sctp`.
    package var proto: String

    /// Creates a mapping.
    package init(hostIP: String? = nil, hostPort: PortRange? = nil, containerPort: PortRange, proto: String = "tcp") {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

    /// Parses Podman's string form; `nil` when the text does not have its shape.
    package init?(parsing text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var proto = "tcp"
        if let slash = rest.lastIndex(of: "/") {
            // Podman accepts `8080/TCP` and stores `tcp`.
            proto = String(rest[rest.index(after: slash)...]).lowercased()
            rest = rest[..<slash]
        }
        var hostIP: String?
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].first == ":" else {
                return nil
            }
            hostIP = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(close, offsetBy: 2)...]
            guard rest.contains(":") else { return nil }
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        let portParts: ArraySlice<Substring>
        switch (parts.count, hostIP) {
        case (1, nil), (2, _): portParts = parts[...]
        case (3, nil):
            hostIP = parts[0].isEmpty ? nil : String(parts[0])
            portParts = parts[1...]
        default: return nil
        }
        guard let container = PortRange(parsing: portParts[portParts.endIndex - 1]), !proto.isEmpty else {
            return nil
        }
        var host: PortRange?
        if portParts.count == 2, !portParts[portParts.startIndex].isEmpty {
            guard let parsed = PortRange(parsing: portParts[portParts.startIndex]) else { return nil }
            host = parsed
        }
        self.init(hostIP: hostIP, hostPort: host, containerPort: container, proto: proto)
    }

    /// The canonical string form, such as `127.0.0.1:3478:3478/udp`.
    package var description: String {
        var text = ""
        if let hostIP { text += (hostIP.contains(":") ? "[\(hostIP)]" : hostIP) + ":" }
        if let hostPort {
            text += "\(hostPort):"
        } else if hostIP != nil {
            text += ":"
        }
        return text + "\(containerPort)/\(proto)"
    }

    private enum CodingKeys: String, CodingKey {
        case hostIP, hostPort, containerPort
        case proto = "protocol"
    }

    package init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard let parsed = PortMapping(parsing: text) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription:
                            "\(text) is not a port mapping: expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp]"
                    ))
            }
            self = parsed
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let containerPort = try Self.decodeRangeIfPresent(c, .containerPort) else {
            throw DecodingError.keyNotFound(
                CodingKeys.containerPort, .init(codingPath: c.codingPath, debugDescription: "containerPort is required")
            )
        }
        self.init(
            hostIP: try c.decodeIfPresent(String.self, forKey: .hostIP),
            hostPort: try Self.decodeRangeIfPresent(c, .hostPort),
            containerPort: containerPort,
            proto: try c.decode(.proto, default: "tcp").lowercased()
        )
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private static func decodeRangeIfPresent(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> PortRange? {
        guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let range = PortRange(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c, debugDescription: "\(text) is not a port or port range")
        }
        return range
    }
}
