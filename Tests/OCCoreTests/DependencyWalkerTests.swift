import Testing

@testable import OCCore

/// The generic walk under the applier: order, bounded parallelism, failure propagation and cycles.
@Suite struct DependencyWalkerTests {
    /// Records what ran, in order, and how many ran at once.
    actor Log {
        var ran: [String] = []
        var running = 0
        var most = 0
        func begin(_ node: String) {
            ran.append(node)
            running += 1
            most = max(most, running)
        }
        func end() { running -= 1 }
    }

    /// Holds the first `count` arrivals until all of them are there (then lets everyone through): the walk can
    /// only get past it if it really runs `count` nodes at once.
    actor Gate {
        let count: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var open = false
        init(count: Int) { self.count = count }
        func pass() async {
            if open { return }
            await withCheckedContinuation { continuation in
                waiting.append(continuation)
                if waiting.count == count {
                    open = true
                    for waiter in waiting { waiter.resume() }
                    waiting = []
                }
            }
        }
    }

    @Test func eachNodeRunsAfterWhatItWaitsForAndTiesFollowTheOrder() async {
        let log = Log()
        // c waits for a and b; d waits for c; e waits for nothing.
        let walker = DependencyWalker(
            order: ["d", "c", "b", "a", "e"], waits: ["c": ["a", "b"], "d": ["c"]], parallelism: 1)
        let stranded = await walker.walk(
            run: { node in
                await log.begin(node)
                await log.end()
                return true
            }, settle: { _, succeeded in succeeded }, skip: { _, _ in Issue.record("nothing fails") })
        #expect(stranded.isEmpty)
        // Ready at first: b, a, e (in that order); c once a and b are done; d last.
        #expect(await log.ran == ["b", "a", "c", "d", "e"])
    }

    @Test func atMostParallelismNodesRunAtOnceAndThatManyDo() async {
        let log = Log()
        let gate = Gate(count: 3)
        let nodes = (0..<9).map { "n\($0)" }
        let walker = DependencyWalker(order: nodes, waits: [:], parallelism: 3)
        await walker.walk(
            run: { node in
                await log.begin(node)
                await gate.pass()
                await log.end()
                return true
            }, settle: { _, succeeded in succeeded }, skip: { _, _ in })
        #expect(await log.most == 3)
        #expect(Set(await log.ran) == Set(nodes))
    }

    @Test func aFailureSkipsEverythingThatWaitsOnItOnceAndTheRestRuns() async {
        let log = Log()
        // b fails; c waits for b; d waits for b and c (so it is reachable twice); e is independent.
        let walker = DependencyWalker(
            order: ["a", "b", "c", "d", "e"], waits: ["b": ["a"], "c": ["b"], "d": ["b", "c"]], parallelism: 2)
        var skipped: [String: String] = [:]
        var skips = 0
        await walker.walk(
            run: { node in
                await log.begin(node)
                await log.end()
                return node != "b"
            },
            settle: { _, succeeded in succeeded },
            skip: { node, blocker in
                skips += 1
                skipped[node] = blocker
            })
        #expect(skipped == ["c": "b", "d": "b"])
        #expect(skips == 2)
        #expect(Set(await log.ran) == ["a", "b", "e"])
    }

    @Test func waitsInACycleStrandTheirNodesInsteadOfHanging() async {
        let walker = DependencyWalker(
            order: ["a", "b", "c", "a"], waits: ["a": ["b"], "b": ["a"], "c": ["c", "ghost"]], parallelism: 4)
        let log = Log()
        let stranded = await walker.walk(
            run: { node in
                await log.begin(node)
                await log.end()
                return true
            }, settle: { _, succeeded in succeeded }, skip: { _, _ in })
        // A wait on itself or on an unknown node is ignored; a listed-twice node runs once.
        #expect(await log.ran == ["c"])
        #expect(stranded == ["a", "b"])
    }

    @Test func aLongChainWalksInOrder() async {
        // 20,000 steps, each waiting for the one before: the walk is linear (the old scheduler rescanned every
        // pending step after each completion).
        let count = 20_000
        let order = (0..<count).reversed().map { $0 }
        var waits: [Int: Set<Int>] = [:]
        for node in 1..<count { waits[node] = [node - 1] }
        var settledOrder: [Int] = []
        settledOrder.reserveCapacity(count)
        let walker = DependencyWalker(order: order, waits: waits, parallelism: 8)
        await walker.walk(
            run: { _ in true },
            settle: { node, succeeded in
                settledOrder.append(node)
                return succeeded
            }, skip: { _, _ in })
        #expect(settledOrder == Array(0..<count))
    }
}
