import Foundation
import OCCore

extension TailscaleNodeSpec {
    /// The two exit-node prefixes.
    static let exitRoutes = ["0.0.0.0/0", "::/0"]

    /// Checks exit-node rules, routes, tags, Linux-only settings and the other nodes of the manifest.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = exitNodeProblems(in: context)
        diagnostics += routeProblems(in: context)
        for (index, tag) in advertiseTags.enumerated() where !(tag.hasPrefix("tag:") && tag.count > 4) {
            diagnostics.append(
                context.error(
                    "Tag must start with tag:", detail: "`\(tag)` is not an ACL tag. Write e.g. `tag:exit`.",
                    at: "advertiseTags[\(index)]"))
        }
        if context.hosts[host]?.os == .macos {
            for (field, isSet) in [("snatSubnetRoutes", !snatSubnetRoutes), ("netfilterMode", netfilterMode != .on)]
            where isSet {
                diagnostics.append(
                    context.error(
                        "\(field) is Linux only",
                        detail: "Tailscale on macOS has no netfilter, so `\(field)` cannot be applied on host \(host). "
                            + "Remove it.",
                        at: field))
            }
        }
        // A literal is what the manifest says, not what `${env:…}` or `${var}` expanded to.
        let writtenKey = (context.written("authKey") ?? authKey)?.trimmingCharacters(in: .whitespaces)
        if let writtenKey, !writtenKey.hasPrefix("file:"), !writtenKey.contains("${") {
            diagnostics.append(
                context.warning(
                    "Auth key written in the manifest",
                    detail: "A literal key ends up in the manifest repository. Write `file:/path/to/key` (read by "
                        + "tailscale on the host) or a `${var}` resolved at plan time.",
                    at: "authKey"))
        }
        if let loginServer, !loginServer.lowercased().hasPrefix("https://"),
            !loginServer.lowercased().hasPrefix("http://")
        {
            diagnostics.append(
                context.error(
                    "Login server is not an http(s) URL",
                    detail: "`\(loginServer)` must be the control server's URL, e.g. https://hs.oc.internal.",
                    at: "loginServer"))
        }
        return diagnostics
    }

    private func exitNodeProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if advertiseExitNode, exitNode != nil {
            diagnostics.append(
                context.error(
                    "A node cannot offer and use an exit node",
                    detail: "Tailscale refuses to advertise an exit node and use one at the same time. Remove "
                        + "`exitNode` or `advertiseExitNode`.",
                    at: "exitNode"))
        }
        if exitNodeAllowLANAccess, exitNode == nil {
            diagnostics.append(
                context.warning(
                    "LAN access setting without an exit node",
                    detail:
                        "`exitNodeAllowLANAccess` only matters while an exit node is used. Set `exitNode` or "
                        + "remove it.",
                    at: "exitNodeAllowLANAccess"))
        }
        guard let exitNode, !exitNode.isEmpty else { return diagnostics }
        if Formats.IPAddress(exitNode) == nil {
            diagnostics.append(
                context.warning(
                    "Exit node given by name",
                    detail: "Tailscale resolves `\(exitNode)` only once peers are known, so the first apply can fail "
                        + "with \"cannot resolve exit node by hostname\". Use its Tailscale IP, e.g. 100.64.0.2.",
                    at: "exitNode"))
            let peer = context.specs.first { address, spec in
                guard let node = spec as? TailscaleNodeSpec else { return false }
                return (node.hostname ?? address.name) == exitNode
            }
            if let (address, spec) = peer, let node = spec as? TailscaleNodeSpec, !node.advertiseExitNode {
                diagnostics.append(
                    context.error(
                        "Exit node does not advertise exit routes",
                        detail: "\(address) is `\(exitNode)` but does not set `advertiseExitNode: true`, so Tailscale "
                            + "rejects it as an exit node. Set it on \(address).",
                        at: "exitNode"))
            }
        }
        return diagnostics
    }

    private func routeProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (index, route) in advertiseRoutes.enumerated() {
            let keyPath = "advertiseRoutes[\(index)]"
            guard let block = Formats.CIDRBlock(route) else {
                diagnostics.append(
                    context.error(
                        "Route is not a CIDR block", detail: "`\(route)` must be a prefix such as 10.0.0.0/24.",
                        at: keyPath))
                continue
            }
            if Self.exitRoutes.contains(block.description) {
                diagnostics.append(
                    context.error(
                        "Exit routes belong in advertiseExitNode",
                        detail: "Tailscale reports \(block) as part of the exit-node setting, so listing it here never "
                            + "converges. Remove it and set `advertiseExitNode: true`.",
                        at: keyPath))
            } else if !block.isCanonical {
                diagnostics.append(
                    context.error(
                        "Route has host bits set",
                        detail: "Tailscale rejects `\(route)` because it has non-address bits set. Write `\(block)`.",
                        at: keyPath))
            }
        }
        return diagnostics
    }
}
