import OCContainerModel
import OCCore
import Testing

@Suite struct VolumeSpecTests {
    @Test func decodesWithDefaults() throws {
        let spec = try SpecDecoding.decode(VolumeSpec.self, yaml: "{}")
        #expect(spec == VolumeSpec())
        #expect(spec.driver == "local")
        #expect(!spec.deleteData)
        #expect(spec.hostNames == ["local"])
    }

    @Test func decodesEveryField() throws {
        let spec = try SpecDecoding.decode(
            VolumeSpec.self,
            yaml:
                "{ host: mac, driver: local, options: { type: tmpfs, device: tmpfs, o: size=64m }, labels: { a: b }, "
                + "deleteData: true }"
        )
        #expect(spec.host == "mac")
        #expect(spec.options["o"] == "size=64m")
        #expect(spec.deleteData)
    }

    @Test func reportsInvalidNamesAndReservedLabels() throws {
        let spec = try SpecDecoding.decode(VolumeSpec.self, yaml: "labels: { io.ocplan.stack: x }")
        let diagnostics = spec.validate(in: SpecTest.context(Address("volumes", "hs/data")))
        #expect(diagnostics.map(\.summary) == ["Invalid volume name", "Label key uses the reserved io.ocplan. prefix"])
        #expect(VolumeSpec().validate(in: SpecTest.context(Address("volumes", "hs-data"))).isEmpty)
    }

    @Test func onlyDeleteDataChangesInPlace() {
        #expect(VolumeSpec.schema.fields.filter { $0.update == .inPlace }.map(\.name) == ["deleteData"])
    }
}
