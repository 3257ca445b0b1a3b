import Foundation

/// A fresh directory under the system's temporary directory, removed when the value goes away.
///
/// Each instance has a unique name, so tests running in parallel never share one. Call
/// ``remove()`` to clean up at a definite point; otherwise the directory is removed on `deinit`.
package final class TempDirectory: Sendable {
    /// The directory's location.
    package let url: URL

    /// The directory's path.
    package var path: String { url.path }

    /// Creates a new, empty directory.
    ///
    /// - Parameter prefix: the start of the directory's name, to recognise leftovers.
    /// - Throws: the file system error when the directory cannot be created.
    package init(prefix: String = "ocplan-test") throws {
        let name = "\(prefix)-\(UUID().uuidString)"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        remove()
    }

    /// Writes `contents` to `relativePath` inside the directory, creating folders as needed.
    ///
    /// - Parameters:
    ///   - contents: the file's text.
    ///   - relativePath: where to write it, relative to the directory.
    ///   - executable: whether to mark the file executable (mode 0755 instead of 0644).
    /// - Returns: the file's location.
    /// - Throws: the file system error when the file cannot be written.
    @discardableResult
    package func write(_ contents: String, to relativePath: String, executable: Bool = false) throws -> URL {
        let file = url.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        try Data(contents.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: file.path)
        return file
    }

    /// Removes the directory and everything in it (ignoring a directory that is already gone).
    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
