import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One apply at a time per stack: an advisory `flock` on `<state>/<stack>/lock`.
///
/// The kernel releases the lock when the holder exits, however it exits, so a crashed or killed run
/// never leaves the stack locked. The file records who holds it, for the error message.
package final class StackLock: Sendable {
    private let descriptor: Int32
    /// The lock file path.
    package let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Takes the lock or throws ``OCError`` `.locked` naming the holder.
    package static func acquire(directory: String, purpose: String) throws -> StackLock {
        try AtomicFile.ensurePrivateDirectory(directory)
        let path = URL(fileURLWithPath: directory).appendingPathComponent("lock").path
        // O_NOFOLLOW: a symlink planted at the lock's name is refused, never followed (and truncated).
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OCError(
                .internalError,
                "cannot open lock file '\(path)': \(String(cString: strerror(errno)))"
                    + (errno == ELOOP ? " (it is a symlink; remove it)" : ""))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder =
                (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "another process"
            close(fd)
            throw OCError(
                .locked,
                "the stack is locked by \(holder.isEmpty ? "another process" : holder); wait for it to finish "
                    + "(the lock is released automatically when that process exits)")
        }
        let info = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(Date()) (\(purpose))\n"
        _ = ftruncate(fd, 0)
        _ = info.withCString { write(fd, $0, strlen($0)) }
        return StackLock(descriptor: fd, path: path)
    }

    /// Releases the lock.
    deinit {
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
