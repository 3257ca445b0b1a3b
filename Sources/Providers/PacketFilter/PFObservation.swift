import Foundation
import OCCore

/// Parses what `pfctl` prints (reference §8.2).
///
/// pfctl has no machine-readable output, so these are the exact line shapes to match. Every pfctl call may print `No ALTQ support in kernel` and `ALTQ related functions disabled` on standard
/// error; that is noise and never a failure.
package enum PFObservation {
    /// The lines pfctl prints on standard error on every call, which say nothing about the command.
    package static let noise: Set<String> = ["No ALTQ support in kernel", "ALTQ related functions disabled"]

    /// The lines of pfctl's standard error that are not ALTQ noise, trimmed, without empty ones.
    ///
    /// - Parameter stderr: standard error of a pfctl call.
    /// - Returns: what pfctl actually had to say.
    package static func messages(_ stderr: String) -> [String] {
        stderr.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !noise.contains($0) }
    }

    /// Whether pf is enabled, from `pfctl -s info` (first line `Status: Enabled for 0 days 01:02:03   Debug:
    /// Urgent` or `Status: Disabled …`).
    ///
    /// - Parameter info: standard output of `pfctl -s info`.
    /// - Returns: `true` or `false`, or `nil` when there is no `Status:` line.
    package static func enabled(info: String) -> Bool? {
        for line in info.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.first == "Status:", words.count > 1 else { continue }
            switch words[1] {
            case "Enabled": return true
            case "Disabled": return false
            default: return nil
            }
        }
        return nil
    }

    /// The rules of a listing (`pfctl [-a ANCHOR] -sn` or `-sr`): one rule per line, trimmed, empty lines
    /// dropped.
    package static func listedRules(_ output: String) -> [String] {
        output.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    /// The words a line of a pf listing starts with (pf.conf(5): translation, filter and dummynet rules), besides
    /// the anchor rules (`anchor`, `nat-anchor`, `scrub-anchor`, `dummynet-anchor`, …).
    package static let ruleKeywords: Set<String> = [
        "nat", "no", "rdr", "binat", "scrub", "pass", "block", "match", "antispoof", "anchor", "load", "table",
        "dummynet",
    ]

    /// Whether a listed line is a pf rule (starts with one of ``ruleKeywords`` or an `…-anchor` word), so that
    /// output which is not a listing is an error rather than a set of rules.
    package static func isRule(_ line: String) -> Bool {
        guard let first = line.split(whereSeparator: \.isWhitespace).first.map(String.init) else { return false }
        return ruleKeywords.contains(first) || (first.hasSuffix("-anchor") && first.count > 7)
    }

    /// Whether a listing holds the anchor rule `keyword "ANCHOR"`, with or without pfctl's trailing `all`
    /// (`nat-anchor "ocplan/lab" all` in `pfctl -sn`, `anchor "ocplan/lab" all` in `pfctl -sr`).
    ///
    /// - Parameters:
    ///   - keyword: `nat-anchor` or `anchor`.
    ///   - anchor: the anchor's name.
    ///   - listing: standard output of the listing.
    /// - Returns: whether the line is there.
    package static func lists(_ keyword: String, anchor: String, in listing: String) -> Bool {
        listedRules(listing).contains { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            guard words.count >= 2, words[0] == keyword, words[1] == "\"\(anchor)\"" else { return false }
            return words.count == 2 || (words.count == 3 && words[2] == "all")
        }
    }

    /// Whether the running main ruleset references `anchor`: `pfctl -sn` lists its `nat-anchor` and `pfctl -sr`
    /// its `anchor`.
    ///
    /// - Parameters:
    ///   - anchor: the anchor's name.
    ///   - nat: standard output of `pfctl -sn`.
    ///   - rules: standard output of `pfctl -sr`.
    /// - Returns: whether both lines are listed.
    package static func references(anchor: String, nat: String, rules: String) -> Bool {
        lists("nat-anchor", anchor: anchor, in: nat) && lists("anchor", anchor: anchor, in: rules)
    }

    /// The rules of `pfctl -a ANCHOR -nvf -` output, as the listings would show them.
    ///
    /// With `-v` pfctl also echoes macro definitions (`ext_if = "en0"`), tables (`table <x> …`) and options
    /// (`set …`), which an anchor's listing never shows: those lines and empty lines are dropped.
    ///
    /// - Parameter output: standard output of the parse.
    /// - Returns: the normalised rules in the order pfctl printed them.
    package static func parsedRules(_ output: String) -> [String] {
        listedRules(output).filter { line in
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.count >= 2, words[1] == "=" { return false }
            return words.first != "table" && words.first != "set"
        }
    }

    /// `rules` in the order pfctl lists them: translation (`-sn`: nat, then rdr, then binat rules), then
    /// `-sr` (scrub, then filter rules); the order inside each kind is kept.
    ///
    /// pfctl loads (and so prints with `-nvf`) scrub rules before translation rules, while the listings show
    /// `-sn` before `-sr`; comparing both in this order makes them line up.
    package static func listingOrder(_ rules: [String]) -> [String] {
        rules.enumerated().sorted { lhs, rhs in
            let (left, right) = (kind(of: lhs.element), kind(of: rhs.element))
            return left == right ? lhs.offset < rhs.offset : left < right
        }.map(\.element)
    }

    /// The position of a rule's kind in a listing: 0 nat, 1 rdr, 2 binat, 3 scrub, 4 everything else.
    static func kind(of rule: String) -> Int {
        let words = rule.split(whereSeparator: \.isWhitespace)
        let keyword = words.first == "no" && words.count > 1 ? words[1] : words.first ?? ""
        switch keyword {
        case "nat", "nat-anchor": return 0
        case "rdr", "rdr-anchor": return 1
        case "binat", "binat-anchor": return 2
        case "scrub", "scrub-anchor": return 3
        default: return 4
        }
    }

    /// The enable reference `pfctl -E` printed (`Token : 12345`, on standard error).
    ///
    /// - Parameter stderr: standard error of `pfctl -E`.
    /// - Returns: the token, or `nil` when none was printed.
    package static func token(stderr: String) -> String? {
        for line in messages(stderr) {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "Token", !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber) else {
                continue
            }
            return parts[1]
        }
        return nil
    }

    /// A problem pfctl reported while parsing rules, with the rule it points at.
    package struct ParseProblem: Sendable, Hashable {
        /// The index of the rule (pfctl's line number minus one, when the message names a `stdin:N:` line).
        package var rule: Int?
        /// pfctl's message.
        package var message: String
    }

    /// The problems in pfctl's standard error after parsing rules from standard input (`stdin:2: syntax
    /// error`); other lines (`pfctl: Syntax error in config file: pf rules not loaded`) come without a rule.
    package static func parseProblems(_ stderr: String) -> [ParseProblem] {
        messages(stderr).map { line in
            let parts = line.split(separator: ":", maxSplits: 2)
            if parts.count == 3, parts[0] == "stdin", let number = Int(parts[1]), number > 0 {
                return ParseProblem(rule: number - 1, message: line)
            }
            return ParseProblem(rule: nil, message: line)
        }
    }

    /// Whether `pfctl -X TOKEN` failed only because the reference is already gone: pf was disabled
    /// (`pfctl: pf not enabled`) or the token is unknown (`pfctl: DIOCSTOPREF: Invalid argument`, after `pfctl
    /// -d` or a reboot).
    package static func tokenAlreadyReleased(_ stderr: String) -> Bool {
        messages(stderr).contains { line in releasedMarkers.contains { line.contains($0) } }
    }

    /// What `pfctl -X` says about a reference that is already gone.
    package static let releasedMarkers = ["Invalid argument", "not enabled", "No such file or directory"]
}
