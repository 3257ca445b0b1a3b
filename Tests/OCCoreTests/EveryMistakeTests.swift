import Foundation
import OCCore
import Testing

/// Each diagnostic as `LINE:COLUMN SUMMARY`.
func located(_ diagnostics: some Sequence<Diagnostic>) -> [String] {
    diagnostics.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.summary)" }
}

/// One run reports every mistake: every duplicate key of a file, stable suggestions, other tools' key names.
@Suite struct EveryMistakeTests {
    @Test func everyDuplicateKeyOfAFileIsReportedAtItsLaterOccurrence() throws {
        let text = """
            version: 1
            stack: lab
            things:
              one:
                value: a
                peer: x
                value: b
              two:
                value: c
            files:
              list:
                - path: /a
                  mode: "0644"
                  path: /b
            stack: again
            """
        let (root, diagnostics) = SourceNode.parse(text, file: "m.yaml")
        let found = located(diagnostics)
        #expect(
            Set(found)
                == [
                    "7:5 Duplicate key 'value' in one mapping", "14:7 Duplicate key 'path' in one mapping",
                    "15:1 Duplicate key 'stack' in one mapping",
                ], "\(found)")
        #expect(diagnostics.allSatisfy { $0.severity == .error })
        let first = try #require(diagnostics.first { $0.location?.line == 7 })
        #expect(first.detail?.contains("first written at 5:5") == true, "\(first.detail ?? "")")
        // The rest of the file is read: the first occurrence of each key is kept, the later ones left out.
        let node = try #require(root)
        #expect(node["stack"]?.scalar == "lab")
        #expect(node["things"]?["one"]?["value"]?.scalar == "a")
        #expect(node["things"]?["one"]?["peer"]?.scalar == "x")
        #expect(node["things"]?["two"]?["value"]?.scalar == "c")
        #expect(node["files"]?["list"]?.elements?.first?["path"]?.scalar == "/a")
        #expect(node["things"]?["one"]?.entries?.count == 2)
    }

    @Test func everyDuplicateOfFlowMappingsIsReportedToo() throws {
        let text = """
            a: { b: 1, c: [1, 2], b: 2 }
            d: {
              "e": "x, y: z", f: { g: 1, g: 2 },
              e: 3 }
            """
        let (root, diagnostics) = SourceNode.parse(text, file: "m.yaml")
        let found = located(diagnostics)
        #expect(
            Set(found)
                == [
                    "1:23 Duplicate key 'b' in one mapping", "3:30 Duplicate key 'g' in one mapping",
                    "4:3 Duplicate key 'e' in one mapping",
                ], "\(found)")
        let node = try #require(root)
        #expect(node["a"]?["b"]?.scalar == "1")
        #expect(node["d"]?["e"]?.scalar == "x, y: z")
        #expect(node["d"]?["f"]?["g"]?.scalar == "1")
    }

    @Test func aSuggestionDoesNotDependOnTheCandidatesOrder() {
        // Two candidates one edit away: the alphabetically first wins, in whatever order they come.
        #expect(NearMiss.suggestion(for: "ab", among: ["ac", "aa"]) == "aa")
        #expect(NearMiss.suggestion(for: "ab", among: ["aa", "ac"]) == "aa")
        let keys: [String: Int] = ["ocb-intyrnal": 1, "ocb-intxrnal": 2]
        #expect(NearMiss.hint(for: "ocb-intrnal", among: keys.keys) == " — did you mean 'ocb-intxrnal'?")
    }

    static let containerKeys = [
        "host", "image", "command", "env", "envFiles", "networks", "ports", "addHosts", "capAdd", "capDrop",
        "readOnly", "user", "volumes", "restart", "labels", "securityOpt", "workdir", "dns", "memory", "cpus",
        "dependsOn", "restartOn",
    ]

    @Test(arguments: [
        ("enviroment", "env"), ("environment", "env"), ("network_mode", "networks"), ("cap_drop", "capDrop"),
        ("cap_add", "capAdd"), ("security_opt", "securityOpt"), ("read_only", "readOnly"), ("mem_limit", "memory"),
        ("working_dir", "workdir"), ("restart_policy", "restart"), ("env_file", "envFiles"),
        ("depends_on", "dependsOn"), ("extra_hosts", "addHosts"), ("published_ports", "ports"), ("publish", "ports"),
        ("USER", "user"), ("dependson", "dependsOn"), ("imag", "image"),
    ])
    func anotherToolsKeyPointsToOcplansName(_ key: String, _ expected: String) {
        #expect(NearMiss.keySuggestion(for: key, among: Self.containerKeys) == expected)
        #expect(NearMiss.keySuggestion(for: key, among: Self.containerKeys.reversed()) == expected)
    }

    @Test func aForeignNameWhoseFieldTheSectionLacksSuggestsNothingWrong() {
        #expect(NearMiss.keySuggestion(for: "environment", among: ["path", "content"]) == nil)
    }
}

/// A mistake is reported once, where it is: an invalid field does not hide the resource's other mistakes, and
/// an invalid resource or host is not reported again by everything that names it.
@Suite struct NoCascadeTests {
    @Test func everyMistakeIsReportedOnceAndNothingThatNamesAnInvalidOneIsReported() async throws {
        let (manifest, diagnostics, _) = try await load([
            "a.yaml": """
            version: 1
            stack: lab
            hosts:
              ns: { transport: netns }
            things:
              one: { value: a, size: 500, host: ns }
              two: { value: forbidden, size: lots }
              three: { value: b, peer: one, dependsOn: [things.two] }
            """
        ])
        #expect(manifest == nil)
        let found = located(diagnostics.errors)
        #expect(
            Set(found)
                == [
                    "4:7 Host 'ns' with transport netns needs 'namespace'", "6:26 Value 500 is above the maximum 100",
                    "7:34 Expected an integer, found 'lots'", "7:17 Value 'forbidden' is not allowed",
                ], "\(found)")
        #expect(found.count == 4, "\(found)")
    }
}
