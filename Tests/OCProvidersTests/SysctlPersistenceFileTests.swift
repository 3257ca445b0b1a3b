import Foundation
import OCCore
import OCSysctl
import Testing

@Suite struct SysctlPersistenceFileTests {
    let marker = SysctlPersistenceFile.marker(stack: "lab", name: "fwd")

    @Test func newFileGetsHeaderAndBlock() {
        let edit = SysctlPersistenceFile(nil).edit(marker: marker, assignment: "net.ipv4.ip_forward = 1")
        #expect(edit == .write(SysctlPersistenceFile.header + "\n# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"))
    }

    @Test func editKeepsForeignLinesAndOtherBlocks() {
        let text = """
            # local tuning
            vm.swappiness = 10
            # ocplan lab sysctl.other
            net.core.somaxconn = 1024
            # ocplan lab sysctl.fwd
            net.ipv4.ip_forward = 0
            # ocplan other-stack sysctl.fwd
            net.ipv4.conf.all.forwarding = 1
            kernel.panic = 5

            """
        let file = SysctlPersistenceFile(text)
        #expect(file.block(marker: marker) == .init(key: "net.ipv4.ip_forward", value: "0"))
        let changed = file.edit(marker: marker, assignment: "net.ipv4.ip_forward = 1")
        #expect(changed == .write(text.replacingOccurrences(of: "ip_forward = 0", with: "ip_forward = 1")))
        let removed = file.edit(marker: marker, assignment: nil)
        #expect(
            removed
                == .write(
                    text.replacingOccurrences(of: "# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 0\n", with: "")))
    }

    @Test func appendsWhenTheFileHasNoBlock() {
        let edit = SysctlPersistenceFile("vm.swappiness=10").edit(marker: marker, assignment: "a.b=1")
        #expect(edit == .write("vm.swappiness=10\n# ocplan lab sysctl.fwd\na.b=1\n"))
    }

    @Test func sameBlockIsUnchanged() {
        let text = "# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"
        #expect(SysctlPersistenceFile(text).edit(marker: marker, assignment: "net.ipv4.ip_forward = 1") == .unchanged)
        #expect(SysctlPersistenceFile(nil).edit(marker: marker, assignment: nil) == .unchanged)
    }

    @Test func fileWeCreatedIsRemovedWithItsLastBlock() {
        let ours = SysctlPersistenceFile.header + "\n# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"
        #expect(SysctlPersistenceFile(ours).edit(marker: marker, assignment: nil) == .remove)
        // A file that existed before keeps existing, even empty.
        let theirs = "# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"
        #expect(SysctlPersistenceFile(theirs).edit(marker: marker, assignment: nil) == .write(""))
        // Something written by hand into our file keeps it.
        let edited = ours + "vm.swappiness = 1\n"
        #expect(
            SysctlPersistenceFile(edited).edit(marker: marker, assignment: nil)
                == .write(SysctlPersistenceFile.header + "\nvm.swappiness = 1\n"))
    }

    @Test func duplicatedBlocksCollapseIntoOne() {
        let text = "# ocplan lab sysctl.fwd\na.b = 0\nx.y = 1\n# ocplan lab sysctl.fwd\na.b = 0\n"
        #expect(
            SysctlPersistenceFile(text).edit(marker: marker, assignment: "a.b = 1")
                == .write("# ocplan lab sysctl.fwd\na.b = 1\nx.y = 1\n"))
    }

    @Test func markerWithoutAssignmentIsABrokenBlock() {
        let file = SysctlPersistenceFile("# ocplan lab sysctl.fwd\n# a comment\n")
        #expect(file.block(marker: marker) == .init(key: "", value: ""))
        #expect(
            file.edit(marker: marker, assignment: "a.b = 1")
                == .write("# ocplan lab sysctl.fwd\na.b = 1\n# a comment\n"))
    }
}
