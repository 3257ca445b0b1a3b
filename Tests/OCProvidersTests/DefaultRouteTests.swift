import Foundation
import OCCore
import OCFacts
import OCTestSupport
import Testing

@Suite struct DefaultRouteTests {
    @Test func linuxPicksTheLowestMetric() {
        let json = """
            [{"dst":"default","gateway":"10.200.0.1","dev":"eth1","metric":100,"flags":[]},
             {"dst":"default","gateway":"10.200.0.3","dev":"eth0","flags":[]}]
            """
        #expect(DefaultRoute.parseLinux(Data(json.utf8)) == "eth0")
        #expect(DefaultRoute.parseLinux(Data("[]".utf8)) == nil)
    }

    @Test func macOSReadsTheInterfaceLine() {
        let text = """
               route to: default
            destination: default
                   mask: default
                gateway: 192.168.1.1
              interface: en0
                  flags: <UP,GATEWAY,DONE,STATIC,PRSCOPED>
            """
        #expect(DefaultRoute.parseMacOS(text) == "en0")
        #expect(DefaultRoute.parseMacOS("route: writing to routing socket: not in table") == nil)
    }
}

@Suite struct CommandFactDetectorTests {
    /// Output that is not a route list is an error naming the tool, never "no default route".
    @Test func garbageFromIpIsAnErrorNotAMissingRoute() async throws {
        let runner = ScriptedRunner(host: "web")
        runner.expect(.init(.prefix(["ip"]), response: .result(CommandResult(exitStatus: 0, stdout: "Usage: ip …\n"))))
        let host = OCCore.Host(name: "web", transport: .local, os: .linux)
        do {
            _ = try await CommandFactDetector(runner: { _ in runner }).detect("default-route", on: host)
            Issue.record("garbage was read as a route")
        } catch let failure as CommandFailure {
            #expect("\(failure)".contains("Usage: ip"), "\(failure)")
            #expect(!"\(failure)".contains("no default route"))
        }
        let empty = ScriptedRunner(host: "web")
        empty.expect(.init(.prefix(["ip"]), response: .result(CommandResult(exitStatus: 0, stdout: "[]\n"))))
        await #expect(throws: OCError.self) {
            try await CommandFactDetector(runner: { _ in empty }).detect("default-route", on: host)
        }
    }
}
