import Foundation
import OCCore
import OCTestSupport
import Testing

@Suite struct SpecHelpersTests {
    private struct Sample: Decodable {
        var count: Int
        var names: [String: Int]

        private enum CodingKeys: String, CodingKey { case count, names }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            count = try c.decode(.count, default: 7)
            let map = try c.nestedContainer(keyedBy: DynamicCodingKey.self, forKey: .names)
            names = try Dictionary(
                uniqueKeysWithValues: map.allKeys.map { ($0.stringValue, try map.decode(Int.self, forKey: $0)) })
        }
    }

    @Test func decodesDefaultsForAbsentAndNullKeys() throws {
        func decode(_ json: String) throws -> Sample { try JSONDecoder().decode(Sample.self, from: Data(json.utf8)) }
        #expect(try decode(#"{"names": {"a": 1}}"#).count == 7)
        #expect(try decode(#"{"count": null, "names": {}}"#).count == 7)
        #expect(try decode(#"{"count": 3, "names": {"x": 2}}"#).names == ["x": 2])
        #expect(throws: DecodingError.self) { try decode(#"{"count": "three", "names": {}}"#) }
    }

    @Test func othersListsTheSameKindOnTheSameHostSortedWithoutSelf() throws {
        func thing(_ host: String) throws -> ThingSpec {
            try SpecDecoding.decode(ThingSpec.self, yaml: "{ host: \(host), value: v }")
        }
        let context = ValidationContext(
            address: "things.b", hosts: [:],
            specs: [
                "things.c": try thing("h"), "things.a": try thing("h"), "things.b": try thing("h"),
                "things.d": try thing("other"),
            ],
            locate: { _ in nil })
        #expect(context.others(ThingSpec.self, on: "h").map(\.address) == ["things.a", "things.c"])
    }

    @Test func nearMissWithAFlatLimit() {
        #expect(NearMiss.suggestion(for: "tpc", among: ["tcp", "udp", "sctp"], maxDistance: 2) == "tcp")
        #expect(NearMiss.suggestion(for: "icmp", among: ["tcp", "udp", "sctp"], maxDistance: 1) == nil)
        #expect(NearMiss.detailHint(for: "NET_RAWW", among: ["NET_RAW", "NET_ADMIN"]) == " Did you mean `NET_RAW`?")
        #expect(NearMiss.detailHint(for: "zzz", among: ["NET_RAW"]).isEmpty)
    }

    @Test func findsVariablesLeftAfterSubstitution() {
        #expect(VariableReferences.unresolved(in: "-s ${lan} -d ${wan}") == ["${lan}", "${wan}"])
        #expect(VariableReferences.unresolved(in: "pass ${oops") == ["${oops"])
        #expect(VariableReferences.unresolved(in: "pass on $ext_if").isEmpty)
    }
}
