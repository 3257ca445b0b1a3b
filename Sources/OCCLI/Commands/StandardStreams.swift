import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the CLIs' output to standard output and standard error with `write(2)`.
///
/// `FileHandle.write` traps when the reader has gone (`ocplan … | head -1`), and `SubprocessRunner`
/// ignores `SIGPIPE` for the whole process, so a closed pipe shows up as `EPIPE`. Both CLIs write
/// through here: on `EPIPE` the process ends quietly the way Unix tools do, by `SIGPIPE` (status 141
/// in a shell), and no Swift runtime message ever reaches the user.
package enum StandardStreams {
    /// Writes `text` to standard output.
    package static func out(_ text: String) { write(text, to: STDOUT_FILENO) }

    /// Writes `text` to standard error.
    package static func err(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Writes every byte of `text` to `descriptor`, retrying short writes and interrupted calls.
    ///
    /// On `EPIPE` the process ends by `SIGPIPE`; on any other error (a full disk) it says so on standard
    /// error, if that still works, and exits with status 1 rather than dropping output silently.
    package static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress, buffer.count)
            }
            if written >= 0 {
                offset += written
                continue
            }
            let code = errno
            if code == EINTR || code == EAGAIN { continue }
            if code == EPIPE { endBySIGPIPE() }
            if descriptor != STDERR_FILENO {
                let message = "error: cannot write to standard output: \(String(cString: strerror(code)))\n"
                _ = message.utf8CString.withUnsafeBytes { systemWrite(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
            }
            exit(1)
        }
    }

    /// Ends the process by `SIGPIPE` with the default action, as a Unix tool whose reader went away.
    package static func endBySIGPIPE() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        _exit(141)
    }

    private static func systemWrite(_ descriptor: Int32, _ base: UnsafeRawPointer?, _ count: Int) -> Int {
        guard let base, count > 0 else { return 0 }
        #if canImport(Darwin)
        return Darwin.write(descriptor, base, count)
        #elseif canImport(Glibc)
        return Glibc.write(descriptor, base, count)
        #else
        return Musl.write(descriptor, base, count)
        #endif
    }
}
