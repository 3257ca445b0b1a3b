import OCContainerModel
import OCCore
import Testing

@Suite struct ImageSpecTests {
    private func decode(_ yaml: String) throws -> ImageSpec {
        try SpecDecoding.decode(ImageSpec.self, yaml: yaml)
    }

    private func validate(_ yaml: String, others: [Address: any ResourceSpec] = [:]) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("images", "img"), specs: others))
    }

    @Test func decodesAPulledImageWithDefaults() throws {
        let spec = try decode("reference: docker.io/headscale/headscale:0.26")
        #expect(spec == ImageSpec(reference: "docker.io/headscale/headscale:0.26"))
        #expect(spec.pull == .missing)
        #expect(try validate("reference: docker.io/headscale/headscale:0.26").isEmpty)
    }

    @Test func decodesABuild() throws {
        let spec = try decode(
            """
            reference: localhost/openclaw:dev
            pull: always
            build: { context: ./openclaw, file: Containerfile, args: { NODE_VERSION: 22 }, target: runtime }
            """)
        #expect(
            spec.build
                == ImageSpec.Build(
                    context: "./openclaw", file: "Containerfile", args: ["NODE_VERSION": "22"], target: "runtime"))
        #expect(spec.pull == .always)
    }

    @Test(arguments: [
        ("reference: docker.io/Library/Alpine:3", "Invalid image reference"),
        ("reference: \"alpine:bad tag\"", "Invalid image reference"),
        ("reference: alpine@1234", "Invalid image reference"),
        ("reference: x\nbuild: { context: . }\nimportFrom: ./x.tar", "build and importFrom are exclusive"),
        ("reference: x\nimportFrom: ./x.tar\npull: always", "pull: always would replace the imported image"),
    ])
    func reportsInvalidImages(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test(arguments: [
        "localhost/busybox:test", "ghcr.io/example/openclaw:latest", "registry:5000/team/app:1.0",
        "alpine@sha256:0123456789abcdef", "docker.io/ubuntu/squid:6.6",
    ])
    func acceptsValidReferences(reference: String) throws {
        #expect(try validate("reference: \"\(reference)\"").isEmpty)
    }

    @Test func reportsTheSameReferenceDeclaredTwiceOnAHost() throws {
        let others: [Address: any ResourceSpec] = [
            Address("images", "other"): ImageSpec(reference: "docker.io/ubuntu/squid:6.6"),
            Address("images", "remote"): ImageSpec(host: "mac", reference: "docker.io/ubuntu/squid:6.6"),
        ]
        let diagnostics = try validate("reference: docker.io/ubuntu/squid:6.6", others: others)
        #expect(diagnostics.map(\.summary) == ["Image reference declared twice"])
    }
}
