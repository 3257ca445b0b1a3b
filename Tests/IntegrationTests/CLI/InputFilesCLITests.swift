import Foundation
import OCTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths that are not regular files (a FIFO here) are refused at once, naming the path, wherever the CLIs
/// read a local file: the plan file, a manifest, a `files` source or template.
///
/// Each run has a deadline: before the fix `ocapply FIFO` waited for a writer forever, so a regression
/// shows as a timeout failure, not a hung test.
@Suite struct InputFilesCLITests {
    static let deadline = Duration.seconds(30)

    private func fifo(_ dir: TempDirectory, _ name: String) throws -> String {
        let path = dir.path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(mkfifo(path, 0o600) == 0)
        return path
    }

    @Test func aFIFOAsThePlanFileIsRefused() async throws {
        let dir = try TempDirectory(prefix: "ocplan-fifo")
        let plan = try fifo(dir, "plan.json")
        let run = try await Binaries.run(
            "ocapply", ["--state-dir", dir.path + "/state", plan], timeout: Self.deadline)
        #expect(run.status == 1)
        #expect(run.stderr.contains("'\(plan)'"), "\(run.stderr)")
        #expect(run.stderr.contains("is a FIFO (named pipe), not a regular file"), "\(run.stderr)")
    }

    @Test func aFIFOAsAManifestIsRefused() async throws {
        let dir = try TempDirectory(prefix: "ocplan-fifo")
        let manifest = try fifo(dir, "m/stack.yaml")
        for arguments in [["validate", manifest], ["validate", dir.path + "/m"]] {
            let run = try await Binaries.run("ocplan", arguments, timeout: Self.deadline)
            #expect(run.status == 1)
            #expect(
                run.stderr.contains("error: \(manifest): Cannot read manifest file '\(manifest)'"), "\(run.stderr)")
            #expect(run.stderr.contains("is a FIFO (named pipe), not a regular file"))
        }
    }

    @Test func aFIFOAsAFilesSourceOrTemplateIsRefusedAtItsKey() async throws {
        let dir = try TempDirectory(prefix: "ocplan-fifo")
        let data = try fifo(dir, "data.fifo")
        try dir.write(
            """
            version: 1
            stack: fifo
            files:
              copied:
                path: \(dir.path)/out/copied
                source: data.fifo
              rendered:
                path: \(dir.path)/out/rendered
                template: data.fifo
            """, to: "stack.yaml")
        let run = try await Binaries.run(
            "ocplan", ["--state-dir", dir.path + "/state", dir.path], timeout: Self.deadline)
        #expect(run.status == 1)
        let file = dir.path + "/stack.yaml"
        #expect(
            run.stderr.contains("error: \(file):6:5: Cannot compute the desired state of files.copied"), "\(run.stderr)"
        )
        #expect(run.stderr.contains("error: \(file):9:5: Cannot compute the desired state of files.rendered"))
        #expect(run.stderr.contains("'\(data)' is a FIFO (named pipe), not a regular file"))
    }
}
