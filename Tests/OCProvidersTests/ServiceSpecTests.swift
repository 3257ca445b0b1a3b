import OCCore
import OCServices
import Testing

@Suite struct ServiceSpecTests {
    private func decode(_ yaml: String) throws -> ServiceSpec {
        try SpecDecoding.decode(ServiceSpec.self, yaml: yaml)
    }

    private func validate(_ yaml: String, name: String = "headscale-vm-proxy") throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("services", name)))
    }

    @Test func decodesTheDesignsProxyService() throws {
        let spec = try decode("host: mac\nprogram: [node, scripts/headscale-vm-proxy.mjs]\nkeepAlive: true")
        #expect(spec == ServiceSpec(host: "mac", program: ["node", "scripts/headscale-vm-proxy.mjs"], keepAlive: true))
        #expect(spec.runAtLoad)
        #expect(spec.scope == .system)
        #expect(spec.state == .running)
    }

    @Test func warnsThatTheDesignsRelativeProgramMayNotBeFound() throws {
        let diagnostics = try validate("program: [node, scripts/headscale-vm-proxy.mjs]\nkeepAlive: true")
        #expect(diagnostics.map(\.summary) == ["Program is not an absolute path"])
        #expect(diagnostics.first?.severity == .warning)
        #expect(try validate("program: [/opt/homebrew/bin/node, /opt/oc/proxy.mjs]").isEmpty)
    }

    @Test func decodesEveryField() throws {
        let spec = try decode(
            """
            program: [/usr/bin/node, /opt/oc/agent.js]
            keepAlive: true
            runAtLoad: false
            environment: { PATH: "/usr/bin:/bin" }
            workingDirectory: /opt/oc
            user: oc
            stdoutPath: /var/log/oc-agent.log
            stderrPath: /var/log/oc-agent.err
            throttleInterval: 10
            state: stopped
            """)
        #expect(spec.environment["PATH"] == "/usr/bin:/bin")
        #expect(spec.throttleInterval == 10)
        #expect(!spec.runAtLoad)
        #expect(spec.state == .stopped)
    }

    @Test(arguments: [
        ("program: []", "Program is empty"),
        ("program: [/bin/x]\nstdoutPath: logs/x.log", "stdoutPath is not an absolute path"),
        ("program: [/bin/x]\nworkingDirectory: .", "workingDirectory is not an absolute path"),
        ("program: [/bin/x]\nenvironment: { \"A=B\": c }", "Invalid environment variable name"),
        ("program: [/bin/x]\nscope: user\nuser: root", "user needs system scope"),
    ])
    func reportsInvalidServices(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test func rejectsNamesThatCannotBeALabel() throws {
        #expect(try validate("program: [/bin/x]", name: "my proxy").map(\.summary) == ["Invalid service name"])
    }
}
