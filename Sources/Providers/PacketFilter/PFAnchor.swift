import OCCore

/// The names and paths that belong to one stack's pf anchor.
///
/// Every `pf` entry of a stack loads its rules into the one top-level anchor `ocplan/STACK`; the anchor is
/// named after the stack, so whatever it holds is the stack's. With `persist: true` the rules are also kept in
/// `/etc/pf.anchors/ocplan.STACK` (loaded at boot by a `load anchor` line in `/etc/pf.conf`) and a LaunchDaemon
/// `/Library/LaunchDaemons/io.ocplan.pf.STACK.plist` runs `pfctl -E -f /etc/pf.conf` at boot.
package struct PFAnchor: Sendable, Hashable {
    /// The prefix of every anchor ocplan owns.
    package static let prefix = "ocplan/"

    /// The stack the anchor belongs to.
    package var stack: String

    /// The anchor of `stack`.
    package init(stack: String) { self.stack = stack }

    /// The anchor named `name` (`ocplan/STACK`), or `nil` for a name ocplan does not give anchors.
    package init?(name: String) {
        guard name.hasPrefix(Self.prefix), name.count > Self.prefix.count else { return nil }
        self.stack = String(name.dropFirst(Self.prefix.count))
    }

    /// The anchor's name: `ocplan/STACK`.
    package var name: String { Self.prefix + stack }

    /// The file the rules are kept in for boot: `/etc/pf.anchors/ocplan.STACK`.
    package var file: String { "/etc/pf.anchors/ocplan.\(stack)" }

    /// The LaunchDaemon's label: `io.ocplan.pf.STACK`.
    package var daemonLabel: String { "io.ocplan.pf.\(stack)" }

    /// The LaunchDaemon's property list: `/Library/LaunchDaemons/io.ocplan.pf.STACK.plist`.
    package var daemonPath: String { "/Library/LaunchDaemons/\(daemonLabel).plist" }

    /// The lines `/etc/pf.conf` needs for this anchor.
    package var confLines: PFConf.Lines { PFConf.Lines(anchor: name, file: file) }

    /// The rules as one text: one rule per line, newline-terminated (empty for no rules).
    ///
    /// This is what `pfctl -a ANCHOR -f -` reads on standard input and what the anchor file holds.
    package static func rulesText(_ rules: [String]) -> String {
        rules.map { $0 + "\n" }.joined()
    }

    /// The LaunchDaemon that restores pf at boot.
    ///
    /// It runs `/sbin/pfctl -E -f /etc/pf.conf` once at load (`RunAtLoad`): the main ruleset and, through the
    /// `load anchor` line, the anchor's rules; `-E` takes an enable reference so pf is on after a reboot. When
    /// the entry does not ask for pf to be enabled (`enable: false`) the daemon only loads the rules.
    ///
    /// - Parameter enable: whether the daemon enables pf.
    /// - Returns: the property list text.
    package func daemonPlist(enable: Bool) -> String {
        let arguments = ["/sbin/pfctl"] + (enable ? ["-E"] : []) + ["-f", PFConf.path]
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            \t<key>Label</key>
            \t<string>\(daemonLabel)</string>
            \t<key>ProgramArguments</key>
            \t<array>
            \(arguments.map { "\t\t<string>\($0)</string>\n" }.joined())\t</array>
            \t<key>RunAtLoad</key>
            \t<true/>
            </dict>
            </plist>

            """
    }
}
