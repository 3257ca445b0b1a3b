/// Dependencies between resources: an edge `a → b` means `a` depends on `b` (b is created first).
package struct DependencyGraph: Sendable, Hashable, Codable {
    /// Every node, in a stable order.
    package private(set) var nodes: [Address] = []
    /// What each node depends on.
    package private(set) var dependencies: [Address: Set<Address>] = [:]

    /// Creates an empty graph.
    package init() {}

    /// Adds a node (idempotent).
    package mutating func add(_ node: Address) {
        if dependencies[node] == nil {
            dependencies[node] = []
            nodes.append(node)
        }
    }

    /// Adds `node → dependency`.
    package mutating func add(_ node: Address, dependsOn dependency: Address) {
        add(node)
        add(dependency)
        dependencies[node, default: []].insert(dependency)
    }

    /// The direct dependencies of `node`.
    package func dependencies(of node: Address) -> Set<Address> { dependencies[node] ?? [] }

    /// The nodes that depend directly on `node`.
    package func dependents(of node: Address) -> Set<Address> { reverseDependencies()[node] ?? [] }

    /// What depends directly on each node: the edges reversed, built in one pass.
    package func reverseDependencies() -> [Address: Set<Address>] {
        var reverse: [Address: Set<Address>] = [:]
        for (node, dependencies) in dependencies {
            for dependency in dependencies { reverse[dependency, default: []].insert(node) }
        }
        return reverse
    }

    /// `node` and everything it depends on, transitively.
    package func closure(of roots: some Sequence<Address>) -> Set<Address> {
        Self.reachable(from: roots, along: dependencies)
    }

    /// Everything that depends on `roots`, transitively (excluding the roots themselves).
    package func dependentsClosure(of roots: some Sequence<Address>) -> Set<Address> {
        let rootSet = Set(roots)
        let reachable = Self.reachable(from: rootSet, along: reverseDependencies())
        return reachable.subtracting(rootSet)
    }

    /// The roots and every node reachable from them along `edges`, walked with an explicit stack.
    private static func reachable(
        from roots: some Sequence<Address>, along edges: [Address: Set<Address>]
    ) -> Set<Address> {
        var seen = Set<Address>()
        var stack = Array(roots)
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack.append(contentsOf: edges[next] ?? [])
        }
        return seen
    }

    /// Every cycle's path (`[a, b, a]`), each reported once.
    ///
    /// A depth-first search with an explicit stack (no recursion), so a chain or cycle of any length that
    /// fits in memory is walked.
    package func cycles() -> [[Address]] {
        var done = Set<Address>()
        var position: [Address: Int] = [:]  // index in `path` of each node being visited
        var path: [(node: Address, dependencies: [Address], next: Int)] = []
        var found: [[Address]] = []
        var reported = Set<Set<Address>>()
        for root in nodes.sorted() where !done.contains(root) {
            position[root] = 0
            path.append((root, dependencies(of: root).sorted(), 0))
            while let top = path.last {
                guard top.next < top.dependencies.count else {
                    path.removeLast()
                    position[top.node] = nil
                    done.insert(top.node)
                    continue
                }
                path[path.count - 1].next += 1
                let dependency = top.dependencies[top.next]
                if let start = position[dependency] {
                    let cycle = path[start...].map(\.node) + [dependency]
                    if reported.insert(Set(cycle)).inserted { found.append(cycle) }
                } else if !done.contains(dependency) {
                    position[dependency] = path.count
                    path.append((dependency, dependencies(of: dependency).sorted(), 0))
                }
            }
        }
        return found
    }

    /// Nodes in layers: each layer depends only on earlier layers (cycles, and what depends on them, are left
    /// out).
    ///
    /// Kahn's algorithm by levels: each edge is looked at once, so the cost is linear in the graph's size.
    package func layers() -> [[Address]] {
        var waiting: [Address: Int] = [:]
        for node in nodes { waiting[node] = dependencies(of: node).subtracting([node]).count }
        let reverse = reverseDependencies()
        var layer = nodes.filter { waiting[$0] == 0 }.sorted()
        var result: [[Address]] = []
        while !layer.isEmpty {
            result.append(layer)
            var next: [Address] = []
            for node in layer {
                for dependent in reverse[node] ?? [] where dependent != node {
                    guard let count = waiting[dependent] else { continue }
                    waiting[dependent] = count - 1
                    if count == 1 { next.append(dependent) }
                }
            }
            layer = next.sorted()
        }
        return result
    }

    /// A topological order (dependencies first); ties broken by address.
    package func topologicalOrder() -> [Address] { layers().flatMap { $0 } }

    /// The graph in Graphviz DOT form (an arrow points at the dependency).
    package func dot(name: String, highlight: [Address: String] = [:]) -> String {
        var lines = ["digraph \(Value.quote(name)) {", "  rankdir = \"RL\";", "  node [shape = box];"]
        for node in nodes.sorted() {
            var attributes = "label = \(Value.quote(node.description))"
            if let colour = highlight[node] { attributes += ", color = \(Value.quote(colour))" }
            lines.append("  \(Value.quote(node.description)) [\(attributes)];")
        }
        for node in nodes.sorted() {
            for dependency in dependencies(of: node).sorted() {
                lines.append("  \(Value.quote(node.description)) -> \(Value.quote(dependency.description));")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
