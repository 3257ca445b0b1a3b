import Foundation
import OCExec
import OCTestSupport
import Testing

@Suite struct ToolLocatorTests {
    @Test("sh is found on this process's PATH as an absolute path")
    func findsShell() throws {
        let path = try #require(ToolLocator.find("sh"))
        #expect(path.hasPrefix("/"))
        #expect(path.hasSuffix("/sh"))
        #expect(ToolLocator.isAvailable("sh"))
    }

    @Test("a program that is nowhere on PATH is not found")
    func missingProgram() {
        #expect(ToolLocator.find("oc-no-such-program-4711") == nil)
        #expect(!ToolLocator.isAvailable("oc-no-such-program-4711"))
        #expect(ToolLocator.find("") == nil)
    }

    @Test("only executable regular files count, and the first directory on PATH wins")
    func executableFilesOnly() throws {
        let directory = try TempDirectory()
        try directory.write("#!/bin/sh\n", to: "plain/oc-tool", executable: false)
        try FileManager.default.createDirectory(
            at: directory.url.appendingPathComponent("dirs/oc-tool"),
            withIntermediateDirectories: true
        )
        let first = try directory.write("#!/bin/sh\n", to: "first/oc-tool", executable: true)
        try directory.write("#!/bin/sh\n", to: "second/oc-tool", executable: true)

        let path = ["plain", "dirs", "first", "second"].map { directory.path + "/" + $0 }.joined(separator: ":")
        #expect(ToolLocator.find("oc-tool", path: path) == first.path)
        #expect(ToolLocator.find("oc-tool", path: directory.path + "/plain") == nil)
        #expect(ToolLocator.find("oc-tool", path: directory.path + "/dirs") == nil)
    }

    @Test("empty and relative PATH entries are skipped, as the runner skips them")
    func skipsRelativeEntries() throws {
        let directory = try TempDirectory()
        try directory.write("#!/bin/sh\n", to: "bin/oc-tool", executable: true)
        let relative = "::bin:./bin"
        #expect(ToolLocator.find("oc-tool", path: relative) == nil)
        #expect(ToolLocator.find("oc-tool", path: relative + ":" + directory.path + "/bin") != nil)
    }

    @Test("a program given as a path is checked where it is")
    func programAsPath() throws {
        let directory = try TempDirectory()
        let tool = try directory.write("#!/bin/sh\n", to: "oc-tool", executable: true)
        #expect(ToolLocator.find(tool.path, path: "") == tool.path)
        #expect(ToolLocator.find(directory.path + "/missing", path: "") == nil)
    }
}
