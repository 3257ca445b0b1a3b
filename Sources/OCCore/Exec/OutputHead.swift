import Foundation

/// The first bytes of what a tool printed, made safe to show: at most ``limit`` bytes, control characters
/// escaped (`\n`, `\t`, `\r`, `\u{1B}`), so a tool that prints garbage can neither flood nor drive the terminal.
package enum OutputHead {
    /// The most bytes of output a message shows.
    package static let limit = 200

    /// The escaped head of `data`, with `…` when bytes were left out; `nil` for empty output.
    ///
    /// - Parameters:
    ///   - data: what the tool printed.
    ///   - limit: the most bytes to show.
    /// - Returns: the escaped text.
    package static func of(_ data: Data, limit: Int = OutputHead.limit) -> String? {
        guard !data.isEmpty else { return nil }
        var head = Data(data.prefix(limit))
        // Do not cut a UTF-8 sequence in two: drop continuation bytes left without their end.
        if data.count > limit {
            while let last = head.last, last & 0xC0 == 0x80 || last & 0xC0 == 0xC0 {
                head.removeLast()
                if last & 0xC0 == 0xC0 { break }
            }
        }
        var text = ""
        for scalar in String(decoding: head, as: UTF8.self).unicodeScalars {
            text += escaped(scalar)
        }
        return data.count > head.count ? text + "…" : text
    }

    /// The escaped head of a text.
    package static func of(_ text: String, limit: Int = OutputHead.limit) -> String? {
        of(Data(text.utf8), limit: limit)
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case "\\": return "\\\\"
        default:
            let value = scalar.value
            if DisplayText.isControl(scalar) || (0x2028...0x2029).contains(value) {
                return "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            }
            return String(scalar)
        }
    }

    /// A duration as people read it: `30 s`, `1.5 s`, `250 ms`.
    package static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds == 0, attoseconds > 0 {
            return "\(attoseconds / 1_000_000_000_000_000) ms"
        }
        if attoseconds == 0 { return "\(seconds) s" }
        let tenths = attoseconds / 100_000_000_000_000_000
        return "\(seconds).\(tenths) s"
    }
}
