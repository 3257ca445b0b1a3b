import Foundation
import OCCore
import OCTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Local files that may hold secrets (journal, history, saved plans, lock) are private from their first byte
/// and never written through a name someone else prepared.
@Suite struct AtomicFileTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func aTemporaryFileIsPrivateFromCreationWhateverTheUmask() throws {
        let dir = try TempDirectory()
        let previous = umask(0)
        let created = Result { try AtomicFile.createTemporary(beside: dir.path + "/plan.json") }
        umask(previous)
        let (fd, path) = try created.get()
        defer { close(fd) }
        var info = stat()
        #expect(fstat(fd, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(URL(fileURLWithPath: path).lastPathComponent.hasPrefix(".plan.json."))
        let again = try AtomicFile.createTemporary(beside: dir.path + "/plan.json")
        close(again.descriptor)
        #expect(again.path != path, "each temporary file gets a fresh random name")
    }

    @Test func aSavedPlanIsPrivateAndItsNewFolderToo() throws {
        let dir = try TempDirectory()
        let path = dir.path + "/plans/today/plan.json"
        try AtomicFile.write(Data("secret".utf8), to: path, permissions: 0o600)
        #expect(try Self.mode(path) == 0o600)
        #expect(try Self.mode(dir.path + "/plans/today") == 0o700)
        #expect(try Self.mode(dir.path + "/plans") == 0o700)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/plans/today")
        #expect(leftovers == ["plan.json"])
    }

    @Test func writingReplacesASymlinkAtTheDestinationInsteadOfFollowingIt() throws {
        let dir = try TempDirectory()
        let victim = try dir.write("precious\n", to: "victim")
        let path = dir.path + "/state.json"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim.path)
        try AtomicFile.write(Data("new".utf8), to: path, permissions: 0o600)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type == .typeRegular, "the link itself is replaced")
    }
}

@Suite struct StateDirectoryTests {
    @Test func theJournalsFoldersAreCreatedPrivate() async throws {
        let state = try TempDirectory()
        let root = state.path + "/state"
        let journal = try StateJournal(stack: "lab", stateDirectory: root)
        try await journal.record(
            Address("things", "a"),
            JournalEntry(
                provider: "memory", host: .local, applied: ["value": "secret"], observed: nil, privateState: nil,
                dependencies: [], appliedAt: Date()))
        #expect(try AtomicFileTests.mode(root) == 0o700)
        #expect(try AtomicFileTests.mode(journal.directory) == 0o700)
        #expect(try AtomicFileTests.mode(journal.statePath) == 0o600)
    }

    @Test func aLooserStateFolderIsTightened() async throws {
        let state = try TempDirectory()
        let folder = state.path + "/lab"
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: state.path)
        _ = try StateJournal(stack: "lab", stateDirectory: state.path)
        #expect(try AtomicFileTests.mode(folder) == 0o700)
        #expect(try AtomicFileTests.mode(state.path) == 0o700)
    }

    @Test func aSymlinkPlantedAtTheLockIsRefusedNotFollowed() throws {
        let state = try TempDirectory()
        let victim = try state.write("precious\n", to: "victim")
        let folder = state.path + "/lab"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/lock", withDestinationPath: victim.path)
        #expect(throws: OCError.self) { try StackLock.acquire(directory: folder, purpose: "test") }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aSymlinkPlantedAtTheHistoryIsNotAppendedTo() async throws {
        let state = try TempDirectory()
        let victim = try state.write("precious\n", to: "victim")
        let journal = try StateJournal(stack: "lab", stateDirectory: state.path + "/state")
        try FileManager.default.createDirectory(atPath: journal.directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: journal.historyPath, withDestinationPath: victim.path)
        let record = HistoryRecord(
            startedAt: Date(), duration: 1, user: "me", applied: [:], failed: [], skipped: [], succeeded: true)
        await #expect(throws: OCError.self) { try await journal.appendHistory(record) }
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
    }
}
