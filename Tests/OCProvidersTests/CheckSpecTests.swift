import OCChecks
import OCCore
import Testing

@Suite struct CheckSpecTests {
    private func decode(_ yaml: String) throws -> CheckSpec {
        try SpecDecoding.decode(CheckSpec.self, yaml: yaml)
    }

    private func validate(_ yaml: String) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("checks", "c")))
    }

    @Test func decodesTheDesignsExitNodeCheck() throws {
        let spec = try decode(
            "{ host: mac, run: [tailscale, ping, \"100.64.0.2\"], expect: { stdoutContains: \"via direct\" } }")
        #expect(spec.run == ["tailscale", "ping", "100.64.0.2"])
        #expect(spec.expect == CheckSpec.Expectation(stdoutContains: ["via direct"]))
        #expect(spec.timeout == "30s")
        #expect(spec.retries == 0)
        #expect(spec.hostNames == ["mac"])
        #expect(
            try validate(
                "{ host: mac, run: [tailscale, ping, \"100.64.0.2\"], expect: { stdoutContains: \"via direct\" } }"
            ).isEmpty)
    }

    @Test func expectationTextAndListFormsDecodeToTheSameValue() throws {
        let text = try decode("run: [x]\nexpect: { stdoutContains: ok, stderrContains: warn }")
        let list = try decode("run: [x]\nexpect: { stdoutContains: [ok], stderrContains: [warn] }")
        #expect(text == list)
    }

    @Test func decodesEveryField() throws {
        let spec = try decode(
            """
            run: [sysctl, -n, net.inet.ip.forwarding]
            expect: { exitCode: 0, stdoutMatches: "^1$", stdoutNotContains: [error] }
            timeout: 5s
            retries: 3
            interval: 1s
            """)
        #expect(spec.expect.stdoutMatches == "^1$")
        #expect(spec.retries == 3)
        #expect(spec.interval == "1s")
        #expect(spec.validate(in: SpecTest.context(Address("checks", "forwarding"))).isEmpty)
    }

    @Test(arguments: [
        ("run: []", "Command is empty"),
        ("run: [x]\ntimeout: soon", "Invalid duration"),
        ("run: [x]\ntimeout: 0s", "Timeout must be positive"),
        ("run: [x]\nexpect: { stdoutMatches: \"(unclosed\" }", "Invalid regular expression"),
        ("run: [x]\nexpect: { stdoutContains: ok, stdoutNotContains: [ok] }", "Check can never pass"),
    ])
    func reportsInvalidChecks(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test func warnsAboutACommandWrittenAsOneString() throws {
        #expect(
            SpecTest.summaries(try validate("run: [\"tailscale ping 100.64.0.2\"]"), .warning) == [
                "Command is one word with spaces"
            ])
    }
}
