import OCCore
import Testing

@Suite struct DifferTests {
    let schema = ResourceSchema(replaceOn: ["kind"], sensitive: ["secret"], ignored: ["status"])

    @Test func equalTreesHaveNoDifferences() {
        let tree: Value = ["value": "a", "tags": ["x"], "status": "up"]
        #expect(Differ.diff(tree, tree, schema: schema).isEmpty)
    }

    @Test func mapsAreComparedKeyByKeyAndFlagged() {
        let before: Value = ["value": "a", "kind": "k1", "status": "up", "secret": "old"]
        let after: Value = ["value": "b", "kind": "k2", "status": "down", "secret": "new", "size": 3]
        let diff = Differ.diff(before, after, schema: schema)
        #expect(diff.map(\.path.description) == ["kind", "secret", "size", "value"])
        #expect(diff.first { $0.path.description == "kind" }?.forcesReplace == true)
        #expect(diff.first { $0.path.description == "secret" }?.sensitive == true)
        #expect(diff.first { $0.path.description == "value" }?.forcesReplace == false)
    }

    @Test func anEntryOfAMembershipMapOnOneSideIsOneJoinOrLeave() {
        let members = ResourceSchema(memberships: ["networks"])
        let before: Value = ["networks": ["podman": ["aliases": []], "a": ["aliases": ["x"]]]]
        let after: Value = ["networks": ["a": ["aliases": ["y"]], "b": ["aliases": ["web"]], "c": .null]]
        let diff = Differ.diff(before, after, schema: members)
        #expect(diff.map(\.path.description) == ["networks.a.aliases", "networks.b", "networks.podman"])
        #expect(diff.map(\.membership?.kind) == [nil, .join, .leave])
        #expect(diff[1].after == ["aliases": ["web"]])
        #expect(diff[2].before == ["aliases": []])
        // Without the schema's word, the entry is flattened as before.
        #expect(
            Differ.diff(before, after, schema: ResourceSchema()).map(\.path.description).contains(
                "networks.podman.aliases"))
        // A create is not a join: the whole tree is new.
        #expect(Differ.diff(nil, after, schema: members).allSatisfy { $0.membership == nil })
    }

    @Test func valuesAreCaseSensitiveAndMarkedPathsAreSensitiveOnBothSides() {
        let marks = SensitivePaths([ValuePath("env.KEY")])
        let diff = Differ.diff(
            ["value": "Hello", "env": ["KEY": "old"]], ["value": "hello", "env": ["KEY": "new"]], schema: schema,
            sensitive: marks)
        #expect(diff.map(\.path.description) == ["env.KEY", "value"])
        #expect(diff.map(\.sensitive) == [true, false])
        // A whole map that holds a marked path is sensitive too.
        let whole = Differ.diff(
            ["env": ["KEY": "a"]], ["env": ["KEY": "b", "X": "1"]], schema: schema, sensitive: marks)
        #expect(whole.first { $0.path.description == "env.KEY" }?.sensitive == true)
        #expect(whole.first { $0.path.description == "env.X" }?.sensitive == false)
    }

    @Test func patternsCoverWildcards() {
        #expect(PathPattern("networks.*.aliases").covers(ValuePath("networks.internal.aliases[0]")))
        #expect(!PathPattern("networks.*.aliases").covers(ValuePath("networks.internal.ipv4")))
        #expect(PathPattern("env").covers(ValuePath("env.HTTP_PROXY")))
    }
}

@Suite struct DependencyGraphTests {
    @Test func layersPutDependenciesFirst() {
        var graph = DependencyGraph()
        graph.add("c.one", dependsOn: "b.one")
        graph.add("b.one", dependsOn: "a.one")
        graph.add("d.one")
        #expect(graph.layers() == [["a.one", "d.one"], ["b.one"], ["c.one"]])
        #expect(graph.closure(of: ["c.one"]) == ["a.one", "b.one", "c.one"])
        #expect(graph.dependentsClosure(of: ["a.one"]) == ["b.one", "c.one"])
        #expect(graph.cycles().isEmpty)
    }

    @Test func cyclesAreFoundOnce() {
        var graph = DependencyGraph()
        graph.add("a.x", dependsOn: "b.x")
        graph.add("b.x", dependsOn: "a.x")
        #expect(graph.cycles() == [["a.x", "b.x", "a.x"]])
    }

    @Test func walksOfAChainOfTwentyThousandWork() {
        let length = 20_000
        var graph = DependencyGraph()
        let names = (0..<length).map { Address("things", "n\($0)") }
        for index in 0..<(length - 1) { graph.add(names[index], dependsOn: names[index + 1]) }
        #expect(graph.cycles().isEmpty)
        #expect(graph.layers().count == length)
        #expect(graph.topologicalOrder().first == names[length - 1])
        #expect(graph.closure(of: [names[0]]).count == length)
        #expect(graph.dependentsClosure(of: [names[length - 1]]).count == length - 1)
        #expect(graph.dependents(of: names[5]) == [names[4]])
    }

    @Test func aCycleOfTwentyThousandIsFoundOnce() {
        let length = 20_000
        var graph = DependencyGraph()
        let names = (0..<length).map { Address("things", "n\($0)") }
        for index in 0..<length { graph.add(names[index], dependsOn: names[(index + 1) % length]) }
        let cycles = graph.cycles()
        #expect(cycles.count == 1)
        #expect(cycles.first?.count == length + 1)
        #expect(graph.layers().isEmpty)
    }

    @Test func dotNamesEveryEdge() {
        var graph = DependencyGraph()
        graph.add("containers.agent", dependsOn: "networks.internal")
        let dot = graph.dot(name: "lab")
        #expect(dot.contains("\"containers.agent\" -> \"networks.internal\";"))
        #expect(dot.hasPrefix("digraph \"lab\""))
    }
}
