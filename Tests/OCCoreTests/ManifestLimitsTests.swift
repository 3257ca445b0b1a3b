import Foundation
import OCCore
import OCTestSupport
import Testing

/// Manifests written to exhaust the loader (alias and variable bombs, deep nesting, long chains) end in
/// located errors or load, but never crash or run away.
@Suite struct ManifestLimitsTests {
    /// `levels` anchors, each a list of nine aliases of the previous one: 9^levels nodes once expanded.
    static func aliasBomb(levels: Int) -> String {
        var lines = ["version: 1", "stack: bomb", "vars:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...levels {
            lines.append(
                "  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aNineLevelAliasBombFailsFastWithALocatedError() async throws {
        let (manifest, diagnostics, dir) = try await load(["stack.yaml": Self.aliasBomb(levels: 9)])
        #expect(manifest == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(diagnostics.errors.count == 1, "\(diagnostics.items)")
        #expect(error.summary.hasPrefix("Aliases expand this file past"), "\(error)")
        let location = try #require(error.location)
        #expect(location.file == dir.path + "/stack.yaml")
        #expect(location.line >= 4)
        #expect(error.keyPath?.hasPrefix("vars.a") == true, "\(error)")
    }

    @Test func aliasesThatAddHalfAMillionNodesAreRefused() async throws {
        // 9^6 = 531,441 nodes: loads (slowly) without a limit, so this shows the limit exists.
        let (manifest, diagnostics, _) = try await load(["stack.yaml": Self.aliasBomb(levels: 6)])
        #expect(manifest == nil)
        #expect(diagnostics.errors.map(\.summary).contains { $0.hasPrefix("Aliases expand this file past") })
    }

    @Test func aFewAliasesStillWork() async throws {
        let (manifest, diagnostics, _) = try await load([
            "stack.yaml": """
            version: 1
            stack: anchors
            things:
              one: { value: x, tags: &tags [a, b, c] }
              two: { value: y, tags: *tags }
            """
        ])
        #expect(!diagnostics.hasErrors, "\(diagnostics.items)")
        #expect(try #require(manifest?.resource("things.two")).spec(as: ThingSpec.self).tags == ["a", "b", "c"])
    }

    /// Variables each repeating the previous one four times: `v0` has 4 bytes, `vN` 4^(N+1).
    static func variableBomb(levels: Int, resourceValue: String? = nil) -> String {
        var lines = ["version: 1", "stack: bomb", "vars:", "  v0: abcd"]
        for level in 1...levels {
            lines.append("  v\(level): \"" + String(repeating: "${v\(level - 1)}", count: 4) + "\"")
        }
        if let resourceValue { lines += ["things:", "  big:", "    value: \"\(resourceValue)\""] }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func aVariableThatWouldExceedOneMebibyteIsAnErrorAtItsKey() async throws {
        // v9 is exactly 1 MiB; v10 (4 MiB) is the first too large. 11 levels are 16 MiB without the limit.
        let (manifest, diagnostics, dir) = try await load(["stack.yaml": Self.variableBomb(levels: 11)])
        #expect(manifest == nil)
        let error = try #require(diagnostics.errors.first { $0.keyPath == "vars.v10" }, "\(diagnostics.items)")
        #expect(error.summary == "Variable 'v10' expands past 1 MiB")
        #expect(error.location == SourceLocation(file: dir.path + "/stack.yaml", line: 14, column: 8))
    }

    @Test func anInterpolatedValueOverOneMebibyteIsAnErrorAtItsKey() async throws {
        let (manifest, diagnostics, _) = try await load([
            "stack.yaml": Self.variableBomb(levels: 9, resourceValue: "${v9}${v9}")
        ])
        #expect(manifest == nil)
        let error = try #require(diagnostics.errors.first, "\(diagnostics.items)")
        #expect(error.summary == "The value expands past 1 MiB")
        #expect(error.keyPath == "things.big.value")
        #expect(error.location?.line == 16)
    }

    @Test func interpolationIsCappedAcrossTheManifest() async throws {
        // Seventy values of 1 MiB each: every one within the limit, together past the 64 MiB budget.
        let tags = Array(repeating: "\"${v9}\"", count: 70).joined(separator: ", ")
        let text = Self.variableBomb(levels: 9) + "things:\n  big:\n    value: x\n    tags: [\(tags)]\n"
        let (manifest, diagnostics, _) = try await load(["stack.yaml": text])
        #expect(manifest == nil)
        let errors = diagnostics.errors.filter { $0.summary == "Interpolation across the manifest expands past 64 MiB" }
        #expect(errors.count == 1, "\(diagnostics.items.map(\.summary))")
        #expect(errors.first?.keyPath?.hasPrefix("things.big.tags[") == true)
    }

    @Test(arguments: [3_000, 20_000])
    func aLongChainOfVariablesResolves(length: Int) async throws {
        var lines = ["version: 1", "stack: chain", "vars:"]
        for index in 0..<length { lines.append("  v\(index): \"${v\(index + 1)}\"") }
        lines += ["  v\(length): end", "things:", "  one: { value: \"${v0}\" }"]
        let (manifest, diagnostics, _) = try await load(["stack.yaml": lines.joined(separator: "\n") + "\n"])
        #expect(!diagnostics.hasErrors, "\(diagnostics.items.prefix(3))")
        #expect(try #require(manifest?.resource("things.one")).spec(as: ThingSpec.self).value == "end")
    }

    @Test func aLongVariableCycleIsReportedShortened() async throws {
        var lines = ["version: 1", "stack: chain", "vars:"]
        for index in 0..<5_000 { lines.append("  v\(index): \"${v\((index + 1) % 5_000)}\"") }
        let (_, diagnostics, _) = try await load(["stack.yaml": lines.joined(separator: "\n") + "\n"])
        let cycle = try #require(diagnostics.errors.first { $0.summary.hasPrefix("Variable cycle") })
        #expect(cycle.summary.hasSuffix("(5000 in the cycle)"), "\(cycle.summary)")
        #expect(cycle.summary.count < 200)
    }

    @Test func aDependsOnChainOfTenThousandLoads() async throws {
        let (manifest, diagnostics, _) = try await load(["stack.yaml": LargeManifest.things(10_000, links: .chain)])
        #expect(!diagnostics.hasErrors, "\(diagnostics.items.prefix(3))")
        let graph = try #require(manifest?.graph)
        #expect(graph.layers().count == 10_000)
        #expect(graph.closure(of: ["things.r000000"]).count == 10_000)
        #expect(graph.dependentsClosure(of: ["things.r009999"]).count == 9_999)
    }

    @Test func aDependsOnCycleOfTwentyThousandIsOneError() async throws {
        let (manifest, diagnostics, _) = try await load(["stack.yaml": LargeManifest.things(20_000, links: .cycle)])
        #expect(manifest == nil)
        let cycles = diagnostics.errors.filter { $0.summary.hasPrefix("Dependency cycle") }
        #expect(cycles.count == 1)
        #expect(cycles.first?.summary.hasSuffix("(20000 in the cycle)") == true, "\(cycles)")
    }

    @Test func twentyThousandResourcesLoad() async throws {
        let (manifest, diagnostics, _) = try await load(["stack.yaml": LargeManifest.things(20_000)])
        #expect(!diagnostics.hasErrors, "\(diagnostics.items.prefix(3))")
        #expect(manifest?.resources.count == 20_000)
    }

    @Test(arguments: [300, 10_000])
    func deeplyNestedListsAreRefusedWithALocatedError(depth: Int) async throws {
        let text =
            "version: 1\nstack: deep\nthings:\n  one:\n    value: x\n    tags: "
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let (manifest, diagnostics, dir) = try await load(["stack.yaml": text])
        #expect(manifest == nil)
        #expect(diagnostics.errors.count == 1, "\(diagnostics.items.map(\.summary))")
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "YAML nested too deeply", "\(error)")
        #expect(error.location?.file == dir.path + "/stack.yaml")
        #expect(error.location?.line == 6)
    }

    @Test(arguments: [3_000, 100_000])
    func aliasesThatNestTooDeeplyAreRefused(levels: Int) async throws {
        // Each anchor a list holding an alias of the one before: nesting as deep as there are lines.
        var lines = ["version: 1", "stack: deep", "vars:", "  a0: &a0 [x]"]
        for level in 1..<levels { lines.append("  a\(level): &a\(level) [*a\(level - 1)]") }
        let (manifest, diagnostics, _) = try await load(["stack.yaml": lines.joined(separator: "\n") + "\n"])
        #expect(manifest == nil)
        #expect(diagnostics.errors.map(\.summary) == ["YAML nested too deeply"])
    }

    @Test func nestingUpToTheLimitLoads() async throws {
        let text =
            "version: 1\nstack: deep\nvars:\n  x: " + String(repeating: "[", count: 250)
            + String(repeating: "]", count: 250) + "\n"
        let (_, diagnostics, _) = try await load(["stack.yaml": text])
        // vars.x is no variable (the schema says so), but the nesting itself is accepted.
        #expect(diagnostics.errors.map(\.summary) == ["Expected a string or object, found a list"])
    }
}
