/// Dependencies between resources: an edge `a → b` means `a` depends on `b` (b is created first).
public struct DependencyGraph: Sendable, Hashable, Codable {
    /// Every node, in a stable order.
    public private(set) var nodes: [Address] = []
    /// What each node depends on.
    public private(set) var dependencies: [Address: Set<Address>] = [:]

    /// Creates an empty graph.
    public init() {}

    /// Adds a node (idempotent).
    public mutating func add(_ node: Address) {
        if dependencies[node] == nil {
            dependencies[node] = []
            nodes.append(node)
        }
    }

    /// Adds `node → dependency`.
    public mutating func add(_ node: Address, dependsOn dependency: Address) {
        add(node)
        add(dependency)
        dependencies[node, default: []].insert(dependency)
    }

    /// The direct dependencies of `node`.
    public func dependencies(of node: Address) -> Set<Address> { dependencies[node] ?? [] }

    /// The nodes that depend directly on `node`.
    public func dependents(of node: Address) -> Set<Address> {
        Set(dependencies.filter { $0.value.contains(node) }.map(\.key))
    }

    /// `node` and everything it depends on, transitively.
    public func closure(of roots: some Sequence<Address>) -> Set<Address> {
        var seen = Set<Address>()
        var stack = Array(roots)
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack.append(contentsOf: dependencies(of: next))
        }
        return seen
    }

    /// Everything that depends on `roots`, transitively (excluding the roots themselves).
    public func dependentsClosure(of roots: some Sequence<Address>) -> Set<Address> {
        let rootSet = Set(roots)
        var seen = Set<Address>()
        var stack = Array(rootSet)
        while let next = stack.popLast() {
            for dependent in dependents(of: next) where seen.insert(dependent).inserted {
                stack.append(dependent)
            }
        }
        return seen.subtracting(rootSet)
    }

    /// Every cycle's path (`[a, b, a]`), each reported once.
    public func cycles() -> [[Address]] {
        enum Mark { case visiting, done }
        var marks: [Address: Mark] = [:]
        var stack: [Address] = []
        var found: [[Address]] = []
        var reported = Set<Set<Address>>()
        func visit(_ node: Address) {
            marks[node] = .visiting
            stack.append(node)
            for dependency in dependencies(of: node).sorted() {
                switch marks[dependency] {
                case .visiting:
                    if let start = stack.firstIndex(of: dependency) {
                        let cycle = Array(stack[start...]) + [dependency]
                        if reported.insert(Set(cycle)).inserted { found.append(cycle) }
                    }
                case .done: continue
                case nil: visit(dependency)
                }
            }
            stack.removeLast()
            marks[node] = .done
        }
        for node in nodes.sorted() where marks[node] == nil { visit(node) }
        return found
    }

    /// Nodes in layers: each layer depends only on earlier layers (cycles are left out).
    public func layers() -> [[Address]] {
        var remaining = Set(nodes)
        var done = Set<Address>()
        var result: [[Address]] = []
        while !remaining.isEmpty {
            let ready = remaining.filter { dependencies(of: $0).subtracting([$0]).isSubset(of: done) }.sorted()
            if ready.isEmpty { break }
            result.append(ready)
            done.formUnion(ready)
            remaining.subtract(ready)
        }
        return result
    }

    /// A topological order (dependencies first); ties broken by address.
    public func topologicalOrder() -> [Address] { layers().flatMap { $0 } }

    /// The graph in Graphviz DOT form (an arrow points at the dependency).
    public func dot(name: String, highlight: [Address: String] = [:]) -> String {
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
