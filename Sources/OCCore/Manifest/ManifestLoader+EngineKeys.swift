import Foundation

/// The keys every resource takes besides its spec's, which the engine handles: `dependsOn` and `restartOn`.
extension ManifestLoader {
    /// The addresses listed under the engine key `key` of a resource's node, each with where it is written;
    /// malformed entries are reported.
    ///
    /// - Parameters:
    ///   - key: `dependsOn` or `restartOn`.
    ///   - node: the resource's node (after interpolation).
    ///   - base: the resource's address, for key paths.
    ///   - diagnostics: where problems go.
    /// - Returns: the entries that are addresses (`SECTION.NAME`, or a singleton section's name).
    func engineAddresses(
        _ key: String, in node: SourceNode, base: String, diagnostics: inout Diagnostics
    ) -> [(Address, SourceLocation)] {
        guard node.entries != nil, let listNode = node[key] else { return [] }
        guard let list = listNode.elements else {
            if !listNode.isNull {
                diagnostics.append(
                    .error(
                        "'\(key)' must be a list of resource addresses", at: listNode.location,
                        keyPath: "\(base).\(key)"
                    ))
            }
            return []
        }
        var found: [(Address, SourceLocation)] = []
        for element in list {
            if let text = element.scalar,
                let address = Address(parsing: text)
                    ?? (catalog.types[text]?.isSingleton == true ? Address(text, "") : nil)
            {
                found.append((address, element.location))
            } else {
                diagnostics.append(
                    .error(
                        "Invalid \(key) entry '\(element.scalar ?? element.kindName)'",
                        detail: "Write resource addresses such as containers.egress-proxy.",
                        at: element.location, keyPath: "\(base).\(key)"))
            }
        }
        return found
    }

    /// The valid `restartOn` triggers of a resource.
    ///
    /// Valid triggers are declared resources (or instances) other than itself, on a resource whose section can
    /// be restarted (``ResourceSpec/restartable``). Each trigger is also a dependency (the restart runs after
    /// the trigger's change).
    ///
    /// - Parameters:
    ///   - address: the consumer's declaration.
    ///   - restartable: whether its section can be restarted.
    ///   - entries: its `restartOn` entries with their locations.
    ///   - known: whether an address names a declared resource or instance.
    ///   - candidates: every declared address and instance, for the did-you-mean.
    ///   - diagnostics: where problems go (located at the entry).
    /// - Returns: the valid triggers, in the order written, without repeats.
    func restartTriggers(
        of address: Address, restartable: Bool, entries: [(Address, SourceLocation)], known: (Address) -> Bool,
        candidates: [String], diagnostics: inout Diagnostics
    ) -> [(Address, SourceLocation)] {
        guard let first = entries.first else { return [] }
        let keyPath = "\(address).restartOn"
        guard restartable else {
            let sections = catalog.types.values.filter { $0.restartable }.map { $0.section }.sorted()
            let can =
                sections.isEmpty
                ? "No section can be restarted"
                : sections.joined(separator: ", ") + (sections.count == 1 ? " can" : " can all") + " be restarted"
            diagnostics.append(
                .error(
                    "\(address.section) cannot be restarted, so \(address) cannot take restartOn",
                    detail: "\(can); \(address.section) cannot. Put restartOn on the resource that reads "
                        + "\(entries.map { $0.0.description }.joined(separator: ", ")), or remove it.",
                    at: first.1, keyPath: keyPath))
            return []
        }
        var valid: [(Address, SourceLocation)] = []
        for (target, location) in entries {
            if target.resource == address {
                diagnostics.append(
                    .error(
                        "restartOn names \(address) itself",
                        detail: "A resource restarts when another one it reads changes. Remove the entry.",
                        at: location, keyPath: keyPath))
            } else if !known(target) {
                let hint = NearMiss.hint(for: target.description, among: candidates)
                diagnostics.append(
                    .error(
                        "restartOn names undeclared resource '\(target)'\(hint)",
                        detail: "Declare \(target) or fix the address.", at: location, keyPath: keyPath))
            } else if !valid.contains(where: { $0.0 == target }) {
                valid.append((target, location))
            }
        }
        return valid
    }

    /// The trigger instances that restart one instance of a consumer: of a trigger with an instance of the same
    /// key (the same host, for `hosts: [a, b]` on both), only that one; otherwise every instance named.
    ///
    /// `tailscaled[mac]` with `restartOn: [trust.ca]` restarts when `trust.ca[mac]` changes, not when
    /// `trust.ca[oc-exit]` does.
    ///
    /// - Parameters:
    ///   - triggers: the instances the consumer's `restartOn` entries name.
    ///   - consumer: the consumer instance's address.
    /// - Returns: the triggers of that instance, in order.
    static func restartTriggers(_ triggers: [Address], of consumer: Address) -> [Address] {
        guard let key = consumer.key else { return triggers }
        return triggers.filter { trigger in
            trigger.key == key || !triggers.contains { $0.resource == trigger.resource && $0.key == key }
        }
    }
}
