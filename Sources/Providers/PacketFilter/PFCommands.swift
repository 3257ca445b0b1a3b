import Foundation
import OCCore

/// The argv of every command the pf provider runs (reference §8).
///
/// Every pfctl call needs root: the host's `become: sudo` adds it.
public enum PFCommands {
    /// The program: `pfctl`.
    public static let program = "pfctl"

    // MARK: - Observe

    /// `pfctl -s info`: the first line says `Status: Enabled …` or `Status: Disabled …`.
    public static func info() -> Command { Command([program, "-s", "info"]) }

    /// `pfctl [-a ANCHOR] -sn`: translation rules of an anchor, or of the main ruleset.
    public static func listTranslation(anchor: String? = nil) -> Command {
        Command([program] + anchorArguments(anchor) + ["-sn"])
    }

    /// `pfctl [-a ANCHOR] -sr`: filter rules of an anchor, or of the main ruleset.
    public static func listFilter(anchor: String? = nil) -> Command {
        Command([program] + anchorArguments(anchor) + ["-sr"])
    }

    /// `pfctl -a ANCHOR -nvf -` with the rules on standard input: parses them without loading anything and
    /// prints them as the listings will show them.
    public static func parse(_ rules: [String], anchor: String) -> Command {
        Command([program, "-a", anchor, "-nvf", "-"], stdin: Data(PFAnchor.rulesText(rules).utf8))
    }

    // MARK: - Change

    /// `pfctl -a ANCHOR -f -` with the rules on standard input: replaces the anchor's rules atomically.
    public static func load(_ rules: [String], anchor: String) -> Command {
        Command(
            [program, "-a", anchor, "-f", "-"], stdin: Data(PFAnchor.rulesText(rules).utf8), mutating: true,
            showsInput: true)
    }

    /// `pfctl -a ANCHOR -F all`: empties the anchor.
    public static func flush(anchor: String) -> Command {
        Command([program, "-a", anchor, "-F", "all"], mutating: true)
    }

    /// `pfctl -f /etc/pf.conf`: reloads the main ruleset (this may flush rules the system added, so it runs only
    /// when the main ruleset does not reference the anchor as wanted).
    public static func reloadMain() -> Command { Command([program, "-f", PFConf.path], mutating: true) }

    /// `pfctl -nf FILE`: checks a main ruleset file without loading it (its `load anchor` files are read too).
    public static func check(_ path: String) -> Command { Command([program, "-nf", path]) }

    /// `pfctl -E`: enables pf and takes a reference, printing `Token : N` on standard error.
    public static func enable() -> Command { Command([program, "-E"], mutating: true) }

    /// `pfctl -X TOKEN`: releases an enable reference (pf is disabled when the last one goes).
    public static func release(token: String) -> Command { Command([program, "-X", token], mutating: true) }

    /// `cp -p /etc/pf.conf /etc/pf.conf.ocplan-backup`: the copy taken before every edit.
    public static func backupConf() -> Command {
        Command(["cp", "-p", PFConf.path, PFConf.backupPath], mutating: true)
    }

    /// Writing `text` as the new `/etc/pf.conf`, split around the check.
    ///
    /// `staged` writes the candidate to a fresh `mktemp` file in /etc (`mkdir -p`, `TMP=$(mktemp …)`,
    /// `tee $TMP`, `chmod 0644 $TMP`), `check` is `pfctl -nf $TMP`, and `install` moves it into place
    /// (`mv -f -h`). On a failed check the provider runs `discard` (`rm -f -- $TMP`) instead of `install`, leaving
    /// pf.conf untouched. Run them with one ``CommandBindings``.
    public struct ConfWrite: Sendable, Hashable {
        /// Writes the candidate.
        public var staged: [Command]
        /// Checks it.
        public var check: Command
        /// Moves it into place.
        public var install: Command
        /// Removes it after a failed check.
        public var discard: Command

        /// All commands of a successful write, in order.
        public var all: [Command] { staged + [check, install] }
    }

    /// The commands that write `text` as `/etc/pf.conf` after checking it (see ``ConfWrite``).
    public static func writeConf(_ text: String) -> ConfWrite {
        var commands = HostFile.write(text, to: PFConf.path, mode: "0644", os: .macos)
        let install = commands.removeLast()
        return ConfWrite(
            staged: commands, check: HostFile.using(check(Command.reference(HostFile.temporary))), install: install,
            discard: HostFile.removeTemporary())
    }

    /// Writes a file of the anchor's persistence (the rules file or the LaunchDaemon), mode 0644.
    public static func writeFile(_ text: String, to path: String) -> [Command] {
        HostFile.write(text, to: path, mode: "0644", os: .macos)
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
        ArgvBuilder("anchor file") { writeFile("pass\n", to: $0) },
        ArgvBuilder("pf.conf") { writeConf($0).all + [writeConf($0).discard] },
    ]
}
