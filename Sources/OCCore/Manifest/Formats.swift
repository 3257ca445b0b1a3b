import Foundation

/// Parsers and checks for the value formats manifests use (CIDRs, addresses, ports, sizes, durations).
///
/// Shared by the loader and by providers so that every section reads these the same way.
public enum Formats {
    /// Whether `text` is an IPv4 address in dotted-quad form.
    public static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let n = Int(part) else { return false }
            return n <= 255 && (part.count == 1 || part.first != "0")
        }
    }

    /// Whether `text` is an IPv6 address (with optional `::` compression and embedded IPv4).
    public static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), !text.contains(":::") else { return false }
        var groups = text.components(separatedBy: ":")
        var budget = 8
        if let last = groups.last, last.contains(".") {
            guard isIPv4(last) else { return false }
            groups.removeLast()
            budget = 6
        }
        let compressed = text.components(separatedBy: "::").count - 1
        guard compressed <= 1 else { return false }
        let nonEmpty = groups.filter { !$0.isEmpty }
        guard nonEmpty.allSatisfy({ $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return false }
        if compressed == 1 { return nonEmpty.count < budget }
        return groups.count == budget && nonEmpty.count == budget
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    public static func isIPAddress(_ text: String) -> Bool { isIPv4(text) || isIPv6(text) }

    /// Checks a CIDR block; returns a problem description or `nil` when valid.
    public static func cidrProblem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]) else {
            return "'\(text)' is not a CIDR block (expected ADDRESS/PREFIX, e.g. 10.89.10.0/24)"
        }
        let address = String(parts[0])
        if isIPv4(address) {
            guard (0...32).contains(prefix) else { return "prefix /\(prefix) is out of range 0–32 for IPv4" }
            let octets = address.split(separator: ".").compactMap { UInt32($0) }
            let value = octets.reduce(UInt32(0)) { $0 << 8 | $1 }
            let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - UInt32(prefix))
            if value & ~mask != 0 {
                let network = value & mask
                let text = [24, 16, 8, 0].map { String((network >> UInt32($0)) & 0xff) }.joined(separator: ".")
                return "'\(address)/\(prefix)' has host bits set; the network is \(text)/\(prefix)"
            }
            return nil
        }
        if isIPv6(address) {
            guard (0...128).contains(prefix) else { return "prefix /\(prefix) is out of range 0–128 for IPv6" }
            return nil
        }
        return "'\(address)' is not an IP address"
    }

    /// Whether `text` is an octal file mode such as `0644` or `600`.
    public static func isFileMode(_ text: String) -> Bool {
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        return (3...4).contains(digits.count) && digits.allSatisfy { ("0"..."7").contains($0) }
    }

    /// Parses a size such as `2G`, `512M`, `1024` (bytes) into bytes.
    public static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        var t = text.lowercased()
        if t.hasSuffix("ib") { t.removeLast(2) } else if t.hasSuffix("b") && t.count > 1 { t.removeLast() }
        if let last = t.last, let unit = units[last] {
            return Double(t.dropLast()).flatMap { $0 >= 0 ? Int($0 * Double(unit)) : nil }
        }
        return Int(t).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Parses a duration such as `30s`, `5m`, `1h30m`, `500ms` into seconds.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var rest = Substring(text)
        var total = 0.0
        var matched = false
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
            matched = true
        }
        return matched ? total : nil
    }

    /// A port publication `[HOSTIP:][HOSTPORT[-END]:]CPORT[-END][/tcp|udp|sctp]`.
    public struct PortMapping: Sendable, Hashable {
        /// The host address to bind, if given (IPv6 without brackets).
        public var hostIP: String?
        /// The first host port, if given.
        public var hostPort: Int?
        /// The first container port.
        public var containerPort: Int
        /// How many consecutive ports (1 for a single port).
        public var count: Int
        /// `tcp`, `udp` or `sctp`.
        public var proto: String
    }

    /// Parses a port publication; returns the mapping or a problem description.
    public static func portMapping(_ text: String) -> Result<PortMapping, PortMappingProblem> {
        var body = Substring(text)
        var proto = "tcp"
        if let slash = body.lastIndex(of: "/") {
            proto = String(body[body.index(after: slash)...]).lowercased()
            body = body[..<slash]
            guard ["tcp", "udp", "sctp"].contains(proto) else {
                return .failure(.init("unknown protocol '\(proto)' (use tcp, udp or sctp)"))
            }
        }
        var hostIP: String?
        if body.hasPrefix("["), let close = body.firstIndex(of: "]") {
            hostIP = String(body[body.index(after: body.startIndex)..<close])
            body = body[body.index(after: close)...].drop { $0 == ":" }
        }
        var parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if hostIP == nil, parts.count == 3 {
            hostIP = parts.removeFirst()
            if hostIP == "" { hostIP = nil }
        }
        guard (1...2).contains(parts.count) else {
            return .failure(
                .init("'\(text)' is not a port publication (expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO])"))
        }
        if let ip = hostIP, !isIPAddress(ip) {
            return .failure(.init("'\(ip)' is not an IP address"))
        }
        func range(_ s: String) -> (Int, Int)? {
            let bounds = s.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let lo = Int(bounds[0]), let hi = Int(bounds.last ?? "") else {
                return nil
            }
            guard (1...65_535).contains(lo), (1...65_535).contains(hi), lo <= hi else { return nil }
            return (lo, hi)
        }
        guard let container = range(parts[parts.count - 1]) else {
            return .failure(
                .init("container port '\(parts[parts.count - 1])' must be 1–65535 or a range like 8000-8010"))
        }
        var hostPort: Int?
        if parts.count == 2, !parts[0].isEmpty {
            guard let host = range(parts[0]) else {
                return .failure(.init("host port '\(parts[0])' must be 1–65535 or a range like 8000-8010"))
            }
            guard host.1 - host.0 == container.1 - container.0 else {
                return .failure(.init("host and container port ranges in '\(text)' differ in length"))
            }
            hostPort = host.0
        }
        return .success(
            PortMapping(
                hostIP: hostIP,
                hostPort: hostPort,
                containerPort: container.0,
                count: container.1 - container.0 + 1,
                proto: proto
            )
        )
    }

    /// Why a port publication was rejected.
    public struct PortMappingProblem: Error, Sendable, Hashable {
        /// The explanation.
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
