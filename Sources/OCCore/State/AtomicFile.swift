import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see the old or the new content, never half of it.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `path`, sets its mode, then renames it over `path`.
    public static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
            guard rename(temporary.path, path) == 0 else {
                throw OCError(.internalError, "cannot rename into '\(path)' (errno \(errno))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw OCError(.internalError, "cannot write '\(path)'", cause: error)
        }
    }
}
