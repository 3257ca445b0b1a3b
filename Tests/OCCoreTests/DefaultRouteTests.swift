import Foundation
import OCCore
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
