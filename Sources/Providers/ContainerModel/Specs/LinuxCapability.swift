/// Linux capability names as `capAdd`/`capDrop` accept them: `ALL`, `CAP_NET_RAW`, `NET_RAW`, any case.
package enum LinuxCapability {
    /// Every capability (`capDrop: [ALL]`).
    package static let all = "ALL"

    /// The capability names the kernel defines, without the `CAP_` prefix.
    package static let knownNames = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ]

    /// The canonical form Podman reports (`CAP_NET_RAW`, or `ALL`), or `nil` for an unknown name.
    package static func normalized(_ name: String) -> String? {
        let upper = name.uppercased()
        if upper == all { return all }
        let bare = upper.hasPrefix("CAP_") ? String(upper.dropFirst(4)) : upper
        return knownNames.contains(bare) ? "CAP_" + bare : nil
    }
}
