import Foundation
import OCCore
import OCTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct LocalFileTests {
    @Test func readsARegularFile() throws {
        let dir = try TempDirectory()
        try dir.write("hello\n", to: "a.txt")
        #expect(try LocalFile.readRegular(path: dir.path + "/a.txt") == Data("hello\n".utf8))
        #expect(try LocalFile.readHead(path: dir.path + "/a.txt", count: 3) == Data("hel".utf8))
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        let dir = try TempDirectory()
        let fifo = dir.path + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Without O_NONBLOCK this open would wait for a writer forever; no writer ever comes.
        let failure = #expect(throws: LocalFile.Failure.self) { try LocalFile.readRegular(path: fifo) }
        #expect(failure?.description == "'\(fifo)' is a FIFO (named pipe), not a regular file")
        #expect(throws: LocalFile.Failure.self) { try LocalFile.readHead(path: fifo, count: 10) }
    }

    @Test func aDirectoryAndAMissingPathAreRefused() throws {
        let dir = try TempDirectory()
        let failure = #expect(throws: LocalFile.Failure.self) { try LocalFile.readRegular(path: dir.path) }
        #expect(failure?.problem == "is a directory, not a regular file")
        let missing = #expect(throws: LocalFile.Failure.self) { try LocalFile.readRegular(path: dir.path + "/no") }
        #expect(missing?.isMissing == true)
    }

    @Test func aDeviceIsRefused() throws {
        // /dev/zero would never end.
        let failure = #expect(throws: LocalFile.Failure.self) { try LocalFile.readRegular(path: "/dev/zero") }
        #expect(failure?.problem == "is a character device, not a regular file")
    }

    @Test func aFileOverTheLimitIsRefused() throws {
        let dir = try TempDirectory()
        try dir.write(String(repeating: "x", count: 2_000), to: "big.txt")
        let failure = #expect(throws: LocalFile.Failure.self) {
            try LocalFile.readRegular(path: dir.path + "/big.txt", limit: 1_000)
        }
        #expect(failure?.problem == "is larger than 1000 bytes, the most ocplan reads")
        #expect(try LocalFile.readRegular(path: dir.path + "/big.txt", limit: 2_000).count == 2_000)
    }

    @Test func aFailureRemembersTheManifestKey() throws {
        let failure = LocalFile.Failure(path: "/x", problem: "does not exist", isMissing: true).at(key: "source")
        #expect(failure.keyPath == "source")
    }
}
