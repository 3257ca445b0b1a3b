import OCCore

extension HeadscaleSpec {
    /// The two exit-node prefixes, which Headscale always approves together.
    static let exitRoutes = ["0.0.0.0/0", "::/0"]

    /// Checks users, node owners and routes, tags, key settings, the policy mode and DERP settings.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = userProblems(in: context)
        for name in nodes.keys.sorted() {
            guard let node = nodes[name] else { continue }
            diagnostics += nodeProblems(node, name: name, in: context)
        }
        for name in preAuthKeys.keys.sorted() {
            guard let key = preAuthKeys[name] else { continue }
            diagnostics += preAuthKeyProblems(key, name: name, in: context)
        }
        if let policy, policy.mode == .file, policy.path == nil {
            diagnostics.append(
                context.error(
                    "File-mode policy needs its server path",
                    detail: "In file mode Headscale reads the policy from its `policy.path`, which ocplan must rewrite "
                        + "before sending SIGHUP. Set `policy.path`, or use `mode: database`.",
                    at: "policy.path"))
        }
        if let derp { diagnostics += derpProblems(derp, in: context) }
        return diagnostics
    }

    private func userProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen: Set<String> = []
        for (index, user) in users.enumerated() {
            if !seen.insert(user.name).inserted {
                diagnostics.append(
                    context.error(
                        "User listed twice", detail: "`\(user.name)` appears more than once. List each user once.",
                        at: "users[\(index)]"))
            }
            if !Self.isHostName(user.name) {
                diagnostics.append(
                    context.error(
                        "Invalid user name",
                        detail: "Headscale 0.28 requires user names to be valid host names (lower-case letters, "
                            + "digits, '-' and '.'); `\(user.name)` is not. Rename the user.",
                        at: "users"))
            }
        }
        return diagnostics
    }

    private func nodeProblems(_ node: Node, name: String, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let base = "nodes.\(name)"
        if !userNames.contains(node.user) {
            diagnostics.append(
                context.error(
                    "Node's user is not declared",
                    detail: "Node \(name) belongs to `\(node.user)`, which `users` does not list. Add it to `users`.",
                    at: "\(base).user"))
        }
        var parsed: [Formats.CIDRBlock] = []
        for (index, route) in node.approveRoutes.enumerated() {
            guard let block = Formats.CIDRBlock(route) else {
                diagnostics.append(
                    context.error(
                        "Route is not a CIDR block", detail: "`\(route)` must be a prefix such as 10.0.0.0/24.",
                        at: "\(base).approveRoutes[\(index)]"))
                continue
            }
            if !block.isCanonical {
                diagnostics.append(
                    context.error(
                        "Route has host bits set",
                        detail: "Clients announce `\(block)`, so approving `\(route)` never matches. Write `\(block)`.",
                        at: "\(base).approveRoutes[\(index)]"))
            }
            parsed.append(block)
        }
        let exits = Self.exitRoutes.filter { exit in parsed.contains { $0.description == exit } }
        if exits.count == 1 {
            let missing = Self.exitRoutes.filter { !exits.contains($0) }.joined()
            diagnostics.append(
                context.error(
                    "Exit routes are approved in pairs",
                    detail: "Headscale approves 0.0.0.0/0 and ::/0 together, so approving only \(exits.joined()) "
                        + "would show as a change on every plan. Add \(missing).",
                    at: "\(base).approveRoutes"))
        }
        for (index, tag) in (node.tags ?? []).enumerated() where !Self.isTag(tag) {
            diagnostics.append(
                context.error(
                    "Tag must start with tag:", detail: "`\(tag)` is not an ACL tag. Write e.g. `tag:exit`.",
                    at: "\(base).tags[\(index)]"))
        }
        return diagnostics
    }

    private func preAuthKeyProblems(_ key: PreAuthKey, name: String, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let base = "preAuthKeys.\(name)"
        if let user = key.user, !userNames.contains(user) {
            diagnostics.append(
                context.error(
                    "Key's user is not declared",
                    detail:
                        "Pre-auth key \(name) belongs to `\(user)`, which `users` does not list. Add it to `users`.",
                    at: "\(base).user"))
        }
        if key.user == nil, key.tags.isEmpty {
            diagnostics.append(
                context.error(
                    "Pre-auth key needs a user or tags",
                    detail: "A key without a user is only accepted for tagged nodes (Headscale 0.28+). Set `user` or "
                        + "`tags`.",
                    at: base))
        }
        if Formats.seconds(key.expiration, syntax: .prometheus) == nil {
            diagnostics.append(
                context.error(
                    "Invalid key expiration",
                    detail: "`\(key.expiration)` is not a duration. Write e.g. 1h, 24h or 90d.",
                    at: "\(base).expiration"))
        }
        for (index, tag) in key.tags.enumerated() where !Self.isTag(tag) {
            diagnostics.append(
                context.error(
                    "Tag must start with tag:", detail: "`\(tag)` is not an ACL tag. Write e.g. `tag:exit`.",
                    at: "\(base).tags[\(index)]"))
        }
        return diagnostics
    }

    private func derpProblems(_ derp: DERP, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let serverURL, !serverURL.lowercased().hasPrefix("https://") {
            diagnostics.append(
                context.error(
                    "Embedded DERP needs an https server URL",
                    detail: "Headscale derives the DERP host and port from `server_url`, and DERP only works over TLS. "
                        + "Serve Headscale over https and write `serverURL: https://…`.",
                    at: "serverURL"))
        }
        if derp.stunPort == nil {
            diagnostics.append(
                context.error(
                    "Invalid STUN listen address",
                    detail: "`\(derp.stunListenAddr)` must be `ADDRESS:PORT`, e.g. 0.0.0.0:3478.",
                    at: "derp.stunListenAddr"))
        }
        for (field, text, wantsIPv4) in [("ipv4", derp.ipv4, true), ("ipv6", derp.ipv6, false)] {
            guard let text, Formats.IPAddress(text)?.isIPv4 != wantsIPv4 else { continue }
            diagnostics.append(
                context.error(
                    "DERP \(field) is not an \(wantsIPv4 ? "IPv4" : "IPv6") address",
                    detail: "`\(text)` is the address clients use to reach the relay. Write an \(field) address.",
                    at: "derp.\(field)"))
        }
        return diagnostics
    }

    /// Whether `name` is a valid host name (lower-case letters, digits, '-' and '.').
    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 63, name.first != "-", name.last != "-" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
    }

    /// Whether `tag` is an ACL tag (`tag:NAME`).
    static func isTag(_ tag: String) -> Bool { tag.hasPrefix("tag:") && tag.count > 4 }
}
