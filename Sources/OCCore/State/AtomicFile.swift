import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes local files so that readers see the old or the new content, never half of it, and nobody else sees the
/// content on the way: the one implementation behind the journal, the history and saved plans.
///
/// The content goes to a temporary file with a random name beside the destination, created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0600 before the first byte (so a planted file or symlink is refused,
/// never followed), then gets its final mode, is flushed to disk and renamed over the destination.
package enum AtomicFile {
    /// Writes `data` to `path` atomically with mode `permissions`.
    ///
    /// Missing parent folders are created with mode 0700.
    ///
    /// - Throws: ``OCError`` when a step fails; the temporary file is then removed.
    package static func write(_ data: Data, to path: String, permissions: Int = 0o644) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try createPrivateDirectory(directory)
            let (fd, temporary) = try createTemporary(beside: path)
            do {
                try writeAll(data, to: fd)
                guard fchmod(fd, mode_t(permissions)) == 0, fsync(fd) == 0 else { throw posixError("chmod", temporary) }
                close(fd)
            } catch {
                close(fd)
                unlink(temporary)
                throw error
            }
            guard rename(temporary, path) == 0 else {
                let error = posixError("rename into", path)
                unlink(temporary)
                throw error
            }
            syncDirectory(directory)
        } catch {
            throw OCError(.internalError, "cannot write '\(path)'", cause: error)
        }
    }

    /// Creates a new, empty temporary file beside `path` (`.NAME.RANDOM.tmp`), mode 0600 whatever the umask,
    /// refusing anything already there.
    ///
    /// - Returns: the open descriptor (the caller closes it) and the file's path.
    /// - Throws: ``OCError`` when no file can be created.
    package static func createTemporary(beside path: String) throws -> (descriptor: Int32, path: String) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        for _ in 0..<16 {
            let random = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(random).tmp").path
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                // The umask may only have removed bits; make sure nothing but the owner can ever read it.
                guard fchmod(fd, 0o600) == 0 else {
                    close(fd)
                    unlink(temporary)
                    throw posixError("chmod", temporary)
                }
                return (fd, temporary)
            }
            if errno != EEXIST { throw posixError("create", temporary) }
        }
        throw OCError(.internalError, "cannot create a temporary file beside '\(path)': every name is taken")
    }

    /// Creates `path` and its missing parents with mode 0700 (from birth; existing folders are left as they are).
    package static func createPrivateDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OCError(.internalError, "'\(path)' is not a folder") }
            return
        }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Creates `path` like ``createPrivateDirectory(_:)`` and takes group and other permissions away from it
    /// when it has any (state folders hold secrets).
    package static func ensurePrivateDirectory(_ path: String) throws {
        try createPrivateDirectory(path)
        var info = stat()
        guard stat(path, &info) == 0 else { throw posixError("inspect", path) }
        if info.st_mode & 0o077 != 0 {
            guard chmod(path, mode_t(info.st_mode & 0o700)) == 0 else { throw posixError("chmod", path) }
        }
    }

    private static func writeAll(_ data: Data, to fd: Int32) throws {
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(fd, buffer.baseAddress?.advanced(by: offset), buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw posixError("write", "a temporary file")
                }
                offset += written
            }
        }
    }

    private static func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, bytes, count)
        #else
        Darwin.write(fd, bytes, count)
        #endif
    }

    /// Flushes a rename to disk (best effort: some file systems refuse `fsync` on folders).
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func posixError(_ what: String, _ path: String) -> OCError {
        OCError(.internalError, "cannot \(what) '\(path)': \(String(cString: strerror(errno)))")
    }
}
