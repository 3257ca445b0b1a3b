import Foundation
import OCCore

/// The argv of every command the pf provider runs (reference §8).
///
/// Every pfctl call needs root: the host's `become: sudo` adds it.
package enum PFCommands {
    /// The program: `pfctl`.
    package static let program = "pfctl"

    // MARK: - Observe

    /// `pfctl -s info`: the first line says `Status: Enabled …` or `Status: Disabled …`.
    package static func info() -> Command { Command([program, "-s", "info"]) }

    /// `pfctl [-a ANCHOR] -sn`: translation rules of an anchor, or of the main ruleset.
    package static func listTranslation(anchor: String? = nil) -> Command {
        Command([program] + anchorArguments(anchor) + ["-sn"])
    }

    /// `pfctl [-a ANCHOR] -sr`: filter rules of an anchor, or of the main ruleset.
    package static func listFilter(anchor: String? = nil) -> Command {
        Command([program] + anchorArguments(anchor) + ["-sr"])
    }

    /// `pfctl -a ANCHOR -nvf -` with the rules on standard input: parses them without loading anything and
    /// prints them as the listings will show them.
    package static func parse(_ rules: [String], anchor: String) -> Command {
        Command([program, "-a", anchor, "-nvf", "-"], stdin: Data(PFAnchor.rulesText(rules).utf8))
    }

    // MARK: - Change

    /// `pfctl -a ANCHOR -f -` with the rules on standard input: replaces the anchor's rules atomically.
    package static func load(_ rules: [String], anchor: String) -> Command {
        Command(
            [program, "-a", anchor, "-f", "-"], stdin: Data(PFAnchor.rulesText(rules).utf8), mutating: true,
            showsInput: true)
    }

    /// `pfctl -a ANCHOR -F all`: empties the anchor.
    package static func flush(anchor: String) -> Command {
        Command([program, "-a", anchor, "-F", "all"], mutating: true)
    }

    /// `pfctl -f /etc/pf.conf`: reloads the main ruleset (this may flush rules the system added, so it runs only
    /// when the main ruleset does not reference the anchor as wanted).
    package static func reloadMain() -> Command { Command([program, "-f", PFConf.path], mutating: true) }

    /// `pfctl -nf FILE`: checks a main ruleset file without loading it (its `load anchor` files are read too).
    package static func check(_ path: String) -> Command { Command([program, "-nf", path]) }

    /// `pfctl -E`: enables pf and takes a reference, printing `Token : N` on standard error.
    package static func enable() -> Command { Command([program, "-E"], mutating: true) }

    /// `pfctl -X TOKEN`: releases an enable reference (pf is disabled when the last one goes).
    package static func release(token: String) -> Command { Command([program, "-X", token], mutating: true) }

    /// Writing a file of the anchor's persistence (the rules file or the LaunchDaemon), mode 0644.
    package static func writeFile(_ text: String, to path: String) -> FileWrite {
        FileWrite(text, to: path, mode: "0644")
    }

    private static func anchorArguments(_ anchor: String?) -> [String] { anchor.map { ["-a", $0] } ?? [] }
}

extension PFCommands {
    /// Every builder above that takes a value from the manifest, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    ///
    /// pf reads the rules on standard input; the anchor is `ocplan/STACK` and its files have fixed paths.
    package static let argvBuilders: [ArgvBuilder] = [
        ArgvBuilder("pfctl -a: anchor of the stack") {
            let anchor = "ocplan/" + $0
            return [
                parse([], anchor: anchor), load([], anchor: anchor), flush(anchor: anchor),
                listFilter(anchor: anchor), listTranslation(anchor: anchor),
            ]
        },
        ArgvBuilder("anchor file") { writeFile("pass\n", to: $0).commands(os: .macos) },
    ]
}
