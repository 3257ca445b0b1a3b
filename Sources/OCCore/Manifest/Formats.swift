import Foundation

/// Parsers and checks for the value formats manifests use (CIDRs, addresses, ports, sizes, durations).
///
/// Shared by the loader and by providers so that every section reads these the same way.
package enum Formats {
    /// Whether `text` is an IPv4 address in dotted-quad form.
    package static func isIPv4(_ text: String) -> Bool { IPAddress(text)?.isIPv4 == true }

    /// Whether `text` is an IPv6 address (with optional `::` compression and embedded IPv4).
    package static func isIPv6(_ text: String) -> Bool { IPAddress(text)?.isIPv4 == false }

    /// Whether `text` is an IPv4 or IPv6 address.
    package static func isIPAddress(_ text: String) -> Bool { IPAddress(text) != nil }

    /// Checks a CIDR block; returns a problem description or `nil` when valid.
    ///
    /// Host bits are only checked for IPv4 blocks (providers check IPv6 blocks against their own rules).
    package static func cidrProblem(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]) else {
            return "'\(text)' is not a CIDR block (expected ADDRESS/PREFIX, e.g. 10.89.10.0/24)"
        }
        let address = String(parts[0])
        guard let ip = IPAddress(address) else { return "'\(address)' is not an IP address" }
        let bits = ip.bytes.count * 8
        guard (0...bits).contains(prefix) else {
            return "prefix /\(prefix) is out of range 0–\(bits) for IPv\(ip.isIPv4 ? 4 : 6)"
        }
        let block = CIDRBlock(address: ip, prefixLength: prefix)
        if ip.isIPv4, !block.isCanonical {
            return "'\(address)/\(prefix)' has host bits set; the network is \(block)"
        }
        return nil
    }

    // MARK: - Arguments

    /// Whether `text` holds a control character: U+0000–U+001F, U+007F or a C1 control U+0080–U+009F.
    package static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: DisplayText.isControl)
    }

    /// Why `text` cannot be handed to a tool as one name or path argument, or `nil`.
    ///
    /// A manifest value that lands in argv must not start with `-` (every tool ocplan runs would read it as an
    /// option) and must hold no control character (a newline splits the tools' line-based outputs and logs).
    ///
    /// - Parameters:
    ///   - text: the value as written in the manifest.
    ///   - what: what the value is, for the message (`name`, `path`).
    /// - Returns: the problem, or `nil` when the value is acceptable.
    package static func argumentProblem(_ text: String, what: String = "name") -> String? {
        if text.isEmpty { return "the \(what) is empty" }
        if hasControlCharacter(text) {
            return "the \(what) \(Value.quote(text)) contains a control character (a newline, tab, escape …)"
        }
        if text.hasPrefix("-") {
            return "the \(what) '\(text)' starts with '-', which tools would read as an option"
        }
        return nil
    }

    /// Whether `text` is an octal file mode such as `0644` or `600`.
    package static func isFileMode(_ text: String) -> Bool {
        let digits = text.hasPrefix("0o") ? String(text.dropFirst(2)) : text
        return (3...4).contains(digits.count) && digits.allSatisfy { ("0"..."7").contains($0) }
    }

    // MARK: - Sizes

    /// Parses a size such as `2G`, `512M`, `1024` (bytes) into bytes; `nil` when it is not a size or does not
    /// fit in 64 bits.
    package static func bytes(_ text: String) -> Int? {
        let exponents: [Character: Int] = ["b": 0, "k": 1, "m": 2, "g": 3, "t": 4]
        var t = text.lowercased()
        if t.hasSuffix("ib") { t.removeLast(2) } else if t.hasSuffix("b") && t.count > 1 { t.removeLast() }
        if let last = t.last, let exponent = exponents[last] {
            return Double(t.dropLast()).flatMap { binaryMultiple($0, exponent: exponent) }.map { Int($0) }
        }
        return Int(t).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// Splits a plain decimal number (`2`, `1.5`: ASCII digits with at most one inner `.`, no sign or exponent)
    /// off the front of `text`; `nil` when `text` does not start with one.
    ///
    /// The number half of the size syntaxes tools read (`512m`, `1.5GiB`); the unit half is each tool's own.
    package static func leadingDecimal(_ text: Substring) -> (value: Double, rest: Substring)? {
        let number = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.first != ".", number.last != ".", number.filter({ $0 == "." }).count <= 1,
            let value = Double(number)
        else { return nil }
        return (value, text.dropFirst(number.count))
    }

    /// `value` × 1024^`exponent` in whole bytes (`1.5`, 3 → 1.5 GiB); `nil` when `value` is negative, not
    /// finite, or the result does not fit in 64 bits.
    package static func binaryMultiple(_ value: Double, exponent: Int) -> Int64? {
        guard value.isFinite, value >= 0 else { return nil }
        var multiplier = 1.0
        for _ in 0..<exponent { multiplier *= 1_024 }
        let bytes = value * multiplier
        guard bytes < Double(Int64.max) else { return nil }
        return Int64(bytes)
    }

    // MARK: - Durations

    /// A duration syntax: the units it knows and the numbers it reads.
    package struct DurationSyntax: Sendable {
        /// The unit suffixes and their length in seconds.
        ///
        /// The first that matches wins, so a suffix must come before any shorter one it starts with (`ms`
        /// before `m`).
        package var units: [(suffix: String, seconds: Double)]
        /// Whether numbers may have a fraction (`1.5h`).
        package var allowsFractions: Bool
        /// Whether a bare `0` (no unit) means zero.
        package var allowsBareZero: Bool

        /// Creates a syntax.
        package init(units: [(suffix: String, seconds: Double)], allowsFractions: Bool, allowsBareZero: Bool) {
            self.units = units
            self.allowsFractions = allowsFractions
            self.allowsBareZero = allowsBareZero
        }

        /// The manifest's `duration` format: `30s`, `5m`, `1h30m`, `500ms`, `1d`.
        package static let manifest = DurationSyntax(
            units: [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)],
            allowsFractions: true, allowsBareZero: false)

        /// Go's `time.ParseDuration` (`30s`, `1m30s`, `500ms`, `0`), which Podman and most Go tools read.
        package static let go = DurationSyntax(
            units: [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3_600)],
            allowsFractions: true, allowsBareZero: true)
    }

    /// Parses a duration such as `30s`, `5m`, `1h30m`, `500ms` into seconds, in the manifest's syntax or
    /// `syntax`; `nil` when `text` is not a duration.
    package static func seconds(_ text: String, syntax: DurationSyntax = .manifest) -> Double? {
        if syntax.allowsBareZero, text == "0" { return 0 }
        guard !text.isEmpty else { return nil }
        var rest = Substring(text)
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || (syntax.allowsFractions && $0 == ".")) }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = syntax.units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            total += value * unit.seconds
            rest = rest.dropFirst(unit.suffix.count)
        }
        return total
    }

    // MARK: - Ports

    /// A port publication `[HOSTIP:][HOSTPORT[-END]:]CPORT[-END][/tcp|udp|sctp]`.
    package struct PortMapping: Sendable, Hashable {
        /// The host address to bind, if given (IPv6 without brackets).
        package var hostIP: String?
        /// The first host port, if given.
        package var hostPort: Int?
        /// The first container port.
        package var containerPort: Int
        /// How many consecutive ports (1 for a single port).
        package var count: Int
        /// `tcp`, `udp` or `sctp`.
        package var proto: String
    }

    /// Parses a port publication; returns the mapping or a problem description.
    package static func portMapping(_ text: String) -> Result<PortMapping, PortMappingProblem> {
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
    package struct PortMappingProblem: Error, Sendable, Hashable {
        /// The explanation.
        package var message: String
        init(_ message: String) { self.message = message }
    }
}
