import Foundation

extension Formats {
    /// An IPv4 or IPv6 address parsed from text, kept as its bytes.
    ///
    /// Small and strict on purpose (no zones, no signs, no leading zeros in IPv4 parts): it is what validation
    /// needs to compare addresses and subnets, not a networking library. The loader's `ipAddress` and `cidr`
    /// formats and the providers' cross-field checks all read addresses through it.
    package struct IPAddress: Hashable, Sendable, CustomStringConvertible {
        /// 4 bytes for IPv4, 16 for IPv6, most significant first.
        package let bytes: [UInt8]

        /// Whether this is an IPv4 address.
        package var isIPv4: Bool { bytes.count == 4 }

        /// Whether every bit is zero (`0.0.0.0`, `::`): "every address" when binding.
        package var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

        /// Parses an IPv4 address in dotted-quad form or an IPv6 address (with optional `::` compression and
        /// an embedded IPv4 tail); `nil` when `text` is neither.
        package init?(_ text: String) {
            if let v4 = Self.parseIPv4(Substring(text)) {
                bytes = v4
            } else if let v6 = Self.parseIPv6(text) {
                bytes = v6
            } else {
                return nil
            }
        }

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// The address in its canonical text form (RFC 5952 for IPv6).
        package var description: String {
            if isIPv4 { return bytes.map { String($0) }.joined(separator: ".") }
            let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            var bestStart = -1
            var bestLength = 0
            var index = 0
            while index < groups.count {
                guard groups[index] == 0 else {
                    index += 1
                    continue
                }
                var end = index
                while end < groups.count, groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            guard bestLength >= 2 else { return hex.joined(separator: ":") }
            let head = hex[..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
            return head + "::" + tail
        }

        private static func parseIPv4(_ text: Substring) -> [UInt8]? {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var result: [UInt8] = []
            for part in parts {
                guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                    part.count == 1 || part.first != "0", let value = UInt8(part)
                else { return nil }
                result.append(value)
            }
            return result
        }

        private static func parseIPv6(_ text: String) -> [UInt8]? {
            let halves = text.components(separatedBy: "::")
            guard halves.count <= 2 else { return nil }
            var groups: [UInt16]
            if halves.count == 2 {
                guard let head = parseGroups(halves[0], allowIPv4Tail: false),
                    let tail = parseGroups(halves[1], allowIPv4Tail: true), head.count + tail.count <= 7
                else { return nil }
                groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
            } else {
                guard let all = parseGroups(text, allowIPv4Tail: true), all.count == 8 else { return nil }
                groups = all
            }
            return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }

        private static func parseGroups(_ text: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if text.isEmpty { return [] }
            let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
            var result: [UInt16] = []
            for (offset, piece) in pieces.enumerated() {
                if allowIPv4Tail, offset == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit),
                        let value = UInt16(piece, radix: 16)
                    else { return nil }
                    result.append(value)
                }
            }
            return result
        }
    }

    /// An IPv4 or IPv6 CIDR block parsed from text (`10.89.10.0/24`).
    package struct CIDRBlock: Hashable, Sendable, CustomStringConvertible {
        /// The address as written (may have host bits set).
        package let address: IPAddress
        /// The prefix length.
        package let prefixLength: Int

        /// Parses `ADDRESS/LENGTH` (1 to 3 digits, at most the address's bit count); `nil` when `text` is not
        /// a CIDR block.
        package init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let address = IPAddress(String(parts[0])),
                (1...3).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let length = Int(parts[1]), length <= address.bytes.count * 8
            else { return nil }
            self.init(address: address, prefixLength: length)
        }

        init(address: IPAddress, prefixLength: Int) {
            self.address = address
            self.prefixLength = prefixLength
        }

        /// Whether this is an IPv4 block.
        package var isIPv4: Bool { address.isIPv4 }

        /// The network address (host bits cleared).
        package var network: IPAddress { Self.mask(address, prefixLength) }

        /// Whether no host bits are set (`10.89.10.0/24`, not `10.89.10.5/24`).
        package var isCanonical: Bool { network == address }

        /// The block with host bits cleared, as text.
        package var description: String { "\(network)/\(prefixLength)" }

        /// Whether `ip` lies inside this block.
        package func contains(_ ip: IPAddress) -> Bool {
            ip.isIPv4 == isIPv4 && Self.mask(ip, prefixLength) == network
        }

        /// Whether the two blocks share any address.
        package func overlaps(_ other: CIDRBlock) -> Bool {
            isIPv4 == other.isIPv4 && (contains(other.network) || other.contains(network))
        }

        private static func mask(_ ip: IPAddress, _ length: Int) -> IPAddress {
            var bytes = ip.bytes
            for index in bytes.indices {
                let bits = max(0, min(8, length - index * 8))
                bytes[index] &= bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            }
            return IPAddress(bytes: bytes)
        }
    }
}
