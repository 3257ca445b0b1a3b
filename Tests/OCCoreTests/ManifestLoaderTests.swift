import Foundation
import OCCore
import OCTestSupport
import Testing

@Suite struct ManifestLoaderTests {
    @Test func loadsAValidManifestWithHostsVarsAndReferences() async throws {
        let (manifest, diagnostics, _) = try await load([
            "a.yaml": """
            version: 1
            stack: lab
            vars:
              greeting: hello
              both: "${greeting} world"
            hosts:
              ns: { transport: netns, namespace: ocplan-x }
            things:
              one: { value: "${both}", host: ns }
              two: { value: x, peer: one, dependsOn: [things.one] }
            """
        ])
        #expect(!diagnostics.hasErrors, "\(diagnostics.items)")
        let m = try #require(manifest)
        #expect(m.stack == "lab")
        #expect(m.hosts["ns"]?.transport == .netns)
        #expect(m.hosts["local"] != nil)
        let one = try #require(m.resource("things.one")).spec(as: ThingSpec.self)
        #expect(one.value == "hello world")
        #expect(m.graph.dependencies(of: "things.two") == ["things.one"])
    }

    @Test func reportsThreeDistinctMistakesWithFileLineAndColumn() async throws {
        let (manifest, diagnostics, dir) = try await load([
            "bad.yaml": """
            version: 1
            stack: lab
            things:
              one:
                value: x
                sise: 3
              two:
                value: y
                subnet: 10.0.0.1/24
              three:
                value: z
                peer: nope
            """
        ])
        #expect(manifest == nil)
        let errors = diagnostics.errors
        #expect(errors.count == 3, "\(errors)")
        let file = dir.path + "/bad.yaml"
        let unknown = try #require(errors.first { $0.summary.contains("Unknown key 'sise'") })
        #expect(unknown.summary.contains("did you mean 'size'"))
        #expect(unknown.location == SourceLocation(file: file, line: 6, column: 5))
        #expect(unknown.keyPath == "things.one.sise")
        let cidr = try #require(errors.first { $0.summary.contains("host bits") })
        #expect(cidr.location == SourceLocation(file: file, line: 9, column: 13))
        let dangling = try #require(errors.first { $0.summary.contains("undeclared things resource 'nope'") })
        #expect(dangling.location == SourceLocation(file: file, line: 12, column: 11))
    }

    @Test func suggestsTheNearestSectionAndRejectsWrongTypes() async throws {
        let (_, diagnostics, _) = try await load([
            "a.yaml": """
            version: 1
            stack: lab
            thngs: {}
            things:
              one: { value: [a, b], size: 500, tags: notalist }
            """
        ])
        let summaries = diagnostics.errors.map(\.summary)
        #expect(summaries.contains { $0.contains("Unknown section 'thngs'") && $0.contains("'things'") })
        #expect(summaries.contains { $0.contains("Expected a string, found a list") })
        #expect(summaries.contains { $0.contains("above the maximum 100") })
        #expect(summaries.contains { $0.contains("Expected a list") })
    }

    @Test func theSameAddressInTwoFilesNamesBothPlaces() async throws {
        let (_, diagnostics, dir) = try await load([
            "a.yaml": "version: 1\nstack: lab\nthings:\n  one: { value: a }\n",
            "b.yaml": "things:\n  one: { value: b }\n",
        ])
        let duplicate = try #require(diagnostics.errors.first { $0.summary.contains("Duplicate 'things.one'") })
        #expect(duplicate.location?.file == dir.path + "/b.yaml")
        #expect(duplicate.detail?.contains(dir.path + "/a.yaml:4:3") == true)
    }

    @Test func duplicateKeysInOneMappingAreErrors() async throws {
        let (_, diagnostics, _) = try await load([
            "a.yaml": "version: 1\nstack: lab\nthings:\n  one: { value: a, value: b }\n"
        ])
        let duplicate = try #require(diagnostics.errors.first { $0.summary == "Duplicate key 'value' in one mapping" })
        #expect(duplicate.location?.line == 4)
    }

    @Test func dependsOnMayNameASingletonSection() async throws {
        let dir = try TempDirectory()
        try dir.write(
            """
            version: 1
            stack: lab
            headscale: { server: local }
            things:
              a: { value: x, dependsOn: [headscale] }
            """, to: "stack.yaml")
        let loader = ManifestLoader(catalog: SpecCatalog([ThingSpec.self, SingletonSpec.self]), environment: [:])
        let (manifest, diagnostics) = await loader.load([dir.path])
        #expect(!diagnostics.hasErrors, "\(diagnostics.items)")
        #expect(manifest?.graph.dependencies(of: "things.a") == [Address("headscale", "")])
    }

    @Test func cyclesAreNamedWithTheirPath() async throws {
        let (_, diagnostics, _) = try await load([
            "a.yaml": """
            version: 1
            stack: lab
            things:
              a: { value: x, peer: b }
              b: { value: y, dependsOn: [things.c] }
              c: { value: z, peer: a }
            """
        ])
        let cycle = try #require(diagnostics.errors.first { $0.summary.hasPrefix("Dependency cycle") })
        #expect(cycle.summary.contains("things.a → things.b → things.c → things.a"))
    }

    @Test func unknownHostsVariablesAndEnvironmentAreReported() async throws {
        let (_, diagnostics, _) = try await load([
            "a.yaml": """
            version: 1
            stack: lab
            vars: { name: one }
            things:
              a: { value: "${nmae}", host: mac }
              b: { value: "${env:OCPLAN_TEST_UNSET}" }
            """
        ])
        let summaries = diagnostics.errors.map(\.summary)
        #expect(summaries.contains { $0.contains("Unknown variable 'nmae'") && $0.contains("'name'") })
        #expect(summaries.contains { $0.contains("Unknown host 'mac'") })
        #expect(summaries.contains { $0.contains("Environment variable 'OCPLAN_TEST_UNSET' is not set") })
    }

    @Test func environmentValuesAreSecrets() async throws {
        let (manifest, diagnostics, _) = try await load(
            ["a.yaml": "version: 1\nstack: lab\nthings:\n  a: { value: \"token=${env:TOKEN}\" }\n"],
            environment: ["TOKEN": "s3cr3t"])
        #expect(!diagnostics.hasErrors)
        let m = try #require(manifest)
        #expect(m.secrets == ["s3cr3t"])
        #expect(m.resource("things.a")?.usesSecrets == true)
    }

    @Test func detectedVariablesResolveOnTheirHost() async throws {
        let (manifest, diagnostics, _) = try await load(
            [
                "a.yaml": """
                version: 1
                stack: lab
                vars:
                  uplink: { detect: default-route }
                  rule: "nat on ${uplink}"
                things:
                  a: { value: "${rule}" }
                """
            ], detector: TableDetector(answers: ["default-route@local": "en7"]))
        #expect(!diagnostics.hasErrors, "\(diagnostics.items)")
        let spec = try #require(manifest?.resource("things.a")).spec(as: ThingSpec.self)
        #expect(spec.value == "nat on en7")
    }

    @Test func variableCyclesAreErrors() async throws {
        let (_, diagnostics, _) = try await load([
            "a.yaml": "version: 1\nstack: lab\nvars: { a: \"${b}\", b: \"${a}\" }\n"
        ])
        #expect(diagnostics.errors.contains { $0.summary.hasPrefix("Variable cycle") })
    }

    @Test func specValidationRunsWithLocations() async throws {
        let (_, diagnostics, dir) = try await load([
            "a.yaml": "version: 1\nstack: lab\nthings:\n  a:\n    value: forbidden\n"
        ])
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "Value 'forbidden' is not allowed")
        // At the value, not its key.
        #expect(error.location == SourceLocation(file: dir.path + "/a.yaml", line: 5, column: 12))
    }

    @Test func missingVersionAndStackAreReported() async throws {
        let (_, diagnostics, _) = try await load(["a.yaml": "things: {}\n"])
        let summaries = diagnostics.errors.map(\.summary)
        #expect(summaries.contains("Missing 'version'"))
        #expect(summaries.contains("Missing 'stack'"))
    }

    @Test func yamlSyntaxErrorsHaveLocations() async throws {
        let (_, diagnostics, _) = try await load(["a.yaml": "version: 1\nstack: [unclosed\n"])
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary.hasPrefix("YAML syntax error"))
        #expect(error.location != nil)
    }

    @Test(arguments: [
        ("10.89.10.0/24", true), ("10.89.10.1/24", false), ("::/0", true), ("0.0.0.0/0", true),
        ("10.0.0.0/33", false), ("300.1.1.1/8", false), ("fd00::/8", true),
    ])
    func cidrChecks(text: String, valid: Bool) {
        #expect((Formats.cidrProblem(text) == nil) == valid)
    }

    @Test(arguments: [
        ("127.0.0.1:3478:3478/udp", true), ("8080", true), ("127.0.0.1::53", true), ("8000-8010:8000-8010", true),
        ("70000:80", false), ("1.2.3:80:80", false), ("80/icmp", false), ("8000-8002:9000", false),
    ])
    func portMappingChecks(text: String, valid: Bool) {
        let parsed = Formats.portMapping(text)
        if case .success = parsed { #expect(valid) } else { #expect(!valid) }
    }

    @Test func nearMissSuggestsCaseAndTypos() {
        #expect(NearMiss.suggestion(for: "capdrop", among: ["capDrop", "capAdd"]) == "capDrop")
        #expect(NearMiss.suggestion(for: "imgae", among: ["image", "command"]) == "image")
        #expect(NearMiss.suggestion(for: "zzz", among: ["image", "command"]) == nil)
    }
}

/// A singleton section for tests.
struct SingletonSpec: ResourceSpec {
    static let section = "headscale"
    static let isSingleton = true
    static let schema = ObjectSchema(
        "A singleton", fields: [FieldSchema("server", .reference("hosts"), required: true, doc: "The host.")])
    var server: String
    var hostNames: [String] { [server] }
}

/// Problems with the files themselves, and YAML errors, are located and come alone.
@Suite struct ManifestFileErrorTests {
    @Test func aMissingPathIsLocatedAtThePath() async throws {
        let dir = try TempDirectory()
        let missing = dir.path + "/nowhere"
        let (_, diagnostics) = await ManifestLoader(catalog: SpecCatalog([ThingSpec.self])).load([missing])
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "Manifest path '\(missing)' does not exist")
        #expect(error.location?.file == missing)
        #expect(error.location?.description == missing)
    }

    @Test func anEmptyDirectoryIsLocatedAtTheDirectory() async throws {
        let dir = try TempDirectory()
        let (_, diagnostics) = await ManifestLoader(catalog: SpecCatalog([ThingSpec.self])).load([dir.path])
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "No manifest files found")
        #expect(error.location?.file == dir.path)
    }

    @Test func anUnreadableManifestIsLocatedAtItsFileAndSaysWhy() async throws {
        let dir = try TempDirectory()
        try dir.write("version: 1\nstack: lab\n", to: "stack.yaml")
        // A directory whose name looks like a manifest file.
        try FileManager.default.createDirectory(atPath: dir.path + "/more.yaml", withIntermediateDirectories: true)
        let (_, diagnostics) = await ManifestLoader(catalog: SpecCatalog([ThingSpec.self])).load([dir.path])
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "Cannot read manifest file '\(dir.path)/more.yaml'")
        #expect(error.location?.file == dir.path + "/more.yaml")
        #expect(error.detail?.contains("is a directory, not a regular file") == true, "\(error)")
    }

    @Test(arguments: ["version: 1\nstack: [unclosed\n", "version: 1\nstack: lab\nthings: {one: {value: x}\n"])
    func aSyntaxErrorComesWithoutSpuriousMissingKeys(text: String) async throws {
        let (_, diagnostics, _) = try await load(["a.yaml": text])
        #expect(diagnostics.errors.count == 1, "\(diagnostics.items.map(\.summary))")
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary.hasPrefix("YAML syntax error"))
        #expect(error.detail?.hasPrefix("While parsing") == true, "\(error)")
        #expect(error.detail?.contains("While while") == false)
    }

    @Test func aControlCharacterIsLocatedWhereItIs() async throws {
        let (_, diagnostics, dir) = try await load(["a.yaml": "version: 1\nstack: lab\nvars:\n  x: \"a\u{1}b\"\n"])
        let error = try #require(diagnostics.errors.first)
        #expect(diagnostics.errors.count == 1, "\(diagnostics.items.map(\.summary))")
        #expect(error.summary == "YAML syntax error: control characters are not allowed")
        #expect(error.location == SourceLocation(file: dir.path + "/a.yaml", line: 4, column: 8))
    }
}
