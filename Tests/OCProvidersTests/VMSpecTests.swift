import OCCore
import OCMultipass
import Testing

@Suite struct VMSpecTests {
    private func decode(_ yaml: String) throws -> VMSpec {
        try SpecDecoding.decode(VMSpec.self, yaml: yaml)
    }

    @Test func decodesTheDesignsExitVM() throws {
        let spec = try decode("{ runtime: multipass, image: \"24.04\", cpus: 2, memory: 2G, disk: 10G }")
        #expect(spec == VMSpec(image: "24.04", cpus: 2, memory: "2G", disk: "10G"))
        #expect(spec.memoryBytes == 2 << 30)
        #expect(spec.diskBytes == 10 << 30)
        #expect(spec.state == .running)
        #expect(spec.validate(in: SpecTest.context(Address("vms", "oc-exit"))).isEmpty)
    }

    @Test func takesMultipassDefaults() throws {
        let spec = try decode("{}")
        #expect(spec.cpus == 1)
        #expect(spec.memory == "1G")
        #expect(spec.disk == "5G")
        #expect(spec.image == "lts")
    }

    @Test func mountStringAndObjectFormsDecodeToTheSameValue() throws {
        let strings = try decode("mounts: [\"./share:/srv/share\"]\ncloudInit: ./vm/user-data.yaml")
        let objects = try decode("mounts: [{ source: ./share, target: /srv/share }]\ncloudInit: ./vm/user-data.yaml")
        #expect(strings == objects)
        #expect(strings.mounts == [VMSpec.Mount(source: "./share", target: "/srv/share")])
    }

    @Test(arguments: [
        ("{}", "1-exit", "Invalid VM name"),
        ("{}", "exit-", "Invalid VM name"),
        ("memory: 2 gigs", "oc-exit", "Invalid memory size"),
        ("memory: 64M", "oc-exit", "Memory below Multipass's minimum"),
        ("disk: 100M", "oc-exit", "Disk below Multipass's minimum"),
        ("mounts: [\"./share\"]", "oc-exit", "Invalid mount"),
    ])
    func reportsInvalidValues(yaml: String, name: String, summary: String) throws {
        let diagnostics = try decode(yaml).validate(in: SpecTest.context(Address("vms", name)))
        #expect(diagnostics.map(\.summary) == [summary])
    }

    @Test func rejectsAHostReachedThroughAnotherVMOrContainer() throws {
        let hosts: [String: Host] = ["hs": Host(name: "hs", transport: .podmanExec, container: "headscale")]
        let diagnostics = try decode("host: hs").validate(in: SpecTest.context(Address("vms", "oc-exit"), hosts: hosts))
        #expect(diagnostics.map(\.summary) == ["Multipass cannot run on this host"])
    }

    @Test func resourcesChangeInPlaceButTheImageReplaces() {
        #expect(VMSpec.schema.field("cpus")?.update == .inPlace)
        #expect(VMSpec.schema.field("disk")?.update == .inPlace)
        #expect(VMSpec.schema.field("image")?.update == .replace)
        #expect(VMSpec.schema.field("cloudInit")?.update == .replace)
    }
}
