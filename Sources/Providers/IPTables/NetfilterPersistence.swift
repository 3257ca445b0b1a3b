import OCCore

/// The files that restore an owned chain at boot (reference §7.4, option B): the chain's own rules file(s)
/// and a oneshot systemd unit that loads them before the network comes up, enabled for multi-user.target
/// by the same symlink `systemctl enable` makes (so it works where systemd is not running, as in a chroot).
struct NetfilterPersistence: Sendable, Hashable {
    /// One file ocplan writes.
    struct File: Sendable, Hashable {
        var path: String
        var content: String
    }

    /// The rules files and the unit file, in the order they are written.
    var files: [File]
    /// The unit file's path.
    var unitPath: String
    /// The `multi-user.target.wants` symlink that enables the unit.
    var wantsLink: String

    /// Every path ocplan writes (files and the symlink).
    var paths: [String] { files.map(\.path) + [wantsLink] }

    /// The unit's name: `ocplan-netfilter-STACK-NAME.service`.
    static func unitName(stack: String, name: String) -> String { "ocplan-netfilter-\(stack)-\(name).service" }

    init(_ chain: NetfilterChain, stack: String) {
        let base = "\(chain.persistDirectory)/\(stack).\(chain.name)"
        let header =
            "# Written by ocplan for iptables.\(chain.name) of stack \(stack); loaded at boot by "
            + Self.unitName(stack: stack, name: chain.name) + ".\n"
        var files: [File] = []
        var starts: [String] = []
        switch chain.backend {
        case .iptables:
            for family in chain.families {
                let isIPv4 = family == .ipv4
                let path = base + (isIPv4 ? ".v4.rules" : ".v6.rules")
                let script = NetfilterScript.restore(chain, stack: stack, hookLines: [], rewriteHook: true)
                files.append(File(path: path, content: header + script))
                starts.append("/usr/sbin/\(isIPv4 ? "iptables" : "ip6tables")-restore -w 5 --noflush \(path)")
            }
        case .nft:
            let path = base + ".nft"
            let script = NetfilterScript.nft(chain, stack: stack, rewriteHook: true, hookChainExists: false)
            files.append(File(path: path, content: header + script))
            starts.append("/usr/sbin/nft -f \(path)")
        }
        let unit = Self.unitName(stack: stack, name: chain.name)
        unitPath = "\(chain.unitDirectory)/\(unit)"
        wantsLink = "\(chain.unitDirectory)/multi-user.target.wants/\(unit)"
        let unitText = """
            # Written by ocplan for iptables.\(chain.name) of stack \(stack).
            [Unit]
            Description=ocplan netfilter chain \(chain.chain) (iptables.\(chain.name) of stack \(stack))
            DefaultDependencies=no
            Wants=network-pre.target
            Before=network-pre.target tailscaled.service
            After=local-fs.target

            [Service]
            Type=oneshot
            RemainAfterExit=yes
            \(starts.map { "ExecStart=" + $0 }.joined(separator: "\n"))

            [Install]
            WantedBy=multi-user.target

            """
        files.append(File(path: unitPath, content: unitText))
        self.files = files
    }

    /// `readlink -- LINK` (exit 1 when the link does not exist).
    static func readLink(_ path: String) -> Command { Command(["readlink", "--", path]) }

    /// The commands that write everything (files atomically, then the enabling symlink).
    var writeSteps: [Step] {
        files.map { .write(FileWrite($0.content, to: $0.path, mode: "0644")) } + [
            .run(Command(["mkdir", "-p", "--", HostFile.directory(of: wantsLink)], mutating: true)),
            .run(Command(["ln", "-sfn", "--", unitPath, wantsLink], mutating: true)),
        ]
    }

    /// The steps that remove `paths`.
    static func removeSteps(_ paths: [String]) -> [Step] { paths.map { .run(HostFile.remove($0)) } }
}
