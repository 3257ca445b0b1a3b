import HeapModule

/// Runs nodes in dependency order with bounded parallelism: a node starts once every node it waits for has
/// succeeded; a failure skips what waits on it, directly or not, and everything else proceeds.
///
/// The walk knows nothing of what a node is (the applier's nodes are the destroy and apply steps of changes). It is
/// linear in nodes plus waits: Kahn's algorithm, with the ready nodes in a heap so that, among those ready, the one
/// earliest in ``order`` starts first, and a walk with parallelism 1 runs in a stable order.
package struct DependencyWalker<Node: Hashable & Sendable>: Sendable {
    /// Every node, in the order ties are broken; a node listed twice runs once.
    package var order: [Node]
    /// What each node waits for; waits on nodes not in ``order`` (or on the node itself) are ignored.
    package var waits: [Node: Set<Node>]
    /// At most this many nodes run at once.
    package var parallelism: Int

    /// Creates a walk.
    package init(order: [Node], waits: [Node: Set<Node>], parallelism: Int) {
        self.order = order
        self.waits = waits
        self.parallelism = max(1, parallelism)
    }

    /// Walks every node.
    ///
    /// - Parameters:
    ///   - run: the work of one node, run in a child task.
    ///   - settle: called on the walking task with each node's outcome, in completion order; returns whether the
    ///     node succeeded (its waiters may start) or failed (they are skipped).
    ///   - skip: called on the walking task, once per node that cannot run, with the failed node that blocks it.
    /// - Returns: the nodes that neither ran nor were skipped, because their waits form a cycle (empty when the
    ///   waits are acyclic).
    @discardableResult
    package func walk<Outcome: Sendable>(
        run: @escaping @Sendable (Node) async -> Outcome,
        settle: (Node, Outcome) async -> Bool,
        skip: (Node, _ blockedBy: Node) async -> Void
    ) async -> [Node] {
        var index: [Node: Int] = [:]
        var nodes: [Node] = []
        for node in order where index[node] == nil {
            index[node] = nodes.count
            nodes.append(node)
        }
        var remaining = [Int](repeating: 0, count: nodes.count)
        var waiters = [[Int]](repeating: [], count: nodes.count)
        for (position, node) in nodes.enumerated() {
            for need in waits[node] ?? [] {
                guard let other = index[need], other != position else { continue }
                remaining[position] += 1
                waiters[other].append(position)
            }
        }
        var ready = Heap(nodes.indices.filter { remaining[$0] == 0 })
        var settled = [Bool](repeating: false, count: nodes.count)
        let parallelism = self.parallelism

        await withTaskGroup(of: (Int, Outcome).self) { group in
            var running = 0
            while true {
                while running < parallelism, let position = ready.popMin() {
                    running += 1
                    let node = nodes[position]
                    group.addTask { (position, await run(node)) }
                }
                guard let (position, outcome) = await group.next() else { break }
                running -= 1
                settled[position] = true
                if await settle(nodes[position], outcome) {
                    for waiter in waiters[position] {
                        remaining[waiter] -= 1
                        if remaining[waiter] == 0 { ready.insert(waiter) }
                    }
                    continue
                }
                // Everything that waits on the failed node, directly or not, is skipped once.
                var blocked = waiters[position]
                while let waiter = blocked.popLast() {
                    guard !settled[waiter] else { continue }
                    settled[waiter] = true
                    await skip(nodes[waiter], nodes[position])
                    blocked.append(contentsOf: waiters[waiter])
                }
            }
        }
        return nodes.indices.filter { !settled[$0] }.map { nodes[$0] }
    }
}
