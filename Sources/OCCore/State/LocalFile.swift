import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads local input files (manifests, plan files, templates, sources, env files) safely.
///
/// A path the user gives may name a FIFO, a device or a directory: `open` on a FIFO blocks until a writer
/// comes, and `/dev/zero` never ends. So the file is opened with `O_NONBLOCK`, checked with `fstat` on the
/// descriptor (no race with a rename in between), refused unless it is a regular file, and read up to a
/// limit. This is the one place such files are read.
package enum LocalFile {
    /// Why a local file could not be read; the message names the path.
    package struct Failure: Error, Sendable, CustomStringConvertible, LocalizedError {
        /// The path as given.
        package var path: String
        /// What is wrong, in a sentence fragment (`is a FIFO, not a regular file`).
        package var problem: String
        /// Whether the path does not exist at all.
        package var isMissing: Bool
        /// The manifest key that named the file (`source`), relative to its resource, when one did.
        package var keyPath: String?

        /// Creates a failure.
        package init(path: String, problem: String, isMissing: Bool, keyPath: String? = nil) {
            self.path = path
            self.problem = problem
            self.isMissing = isMissing
            self.keyPath = keyPath
        }

        /// `'PATH' PROBLEM`.
        package var description: String { "'\(path)' \(problem)" }
        package var errorDescription: String? { description }

        /// The same failure, attributed to the manifest key `keyPath` of a resource.
        package func at(key keyPath: String) -> Failure {
            var copy = self
            copy.keyPath = keyPath
            return copy
        }
    }

    /// The bytes of the regular file at `path`, at most `limit` of them.
    ///
    /// - Parameters:
    ///   - path: the file; symbolic links are followed, and what they lead to must be a regular file.
    ///   - limit: the largest size accepted, in bytes.
    /// - Returns: the file's content.
    /// - Throws: ``Failure`` when the path is missing, is not a regular file, is larger than `limit`, or
    ///   cannot be read.
    package static func readRegular(path: String, limit: Int = ManifestLimits.maximumFileBytes) throws(Failure) -> Data
    {
        var data = Data()
        try forEachChunk(path: path, limit: limit) { data.append($0) }
        return data
    }

    /// The first `count` bytes (fewer for a shorter file) of the regular file at `path`.
    ///
    /// - Throws: ``Failure`` when the path is missing, is not a regular file or cannot be read.
    package static func readHead(path: String, count: Int) throws(Failure) -> Data {
        let descriptor = try openRegular(path)
        defer { close(descriptor) }
        var data = Data()
        try readChunks(descriptor, path: path, upTo: count) { data.append($0) }
        return data
    }

    /// Reads the regular file at `path` in chunks (for hashing large files without holding them).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the largest size accepted, in bytes; `nil` for none.
    ///   - body: called with each chunk in order.
    /// - Throws: ``Failure`` when the path is missing, is not a regular file, is larger than `limit`, or
    ///   cannot be read.
    package static func forEachChunk(
        path: String, limit: Int? = ManifestLimits.maximumFileBytes, _ body: (Data) -> Void
    ) throws(Failure) {
        let descriptor = try openRegular(path)
        defer { close(descriptor) }
        let tooLarge = limit.map {
            Failure(path: path, problem: "is larger than \(sizeText($0)), the most ocplan reads", isMissing: false)
        }
        var info = stat()
        if let limit, let tooLarge, fstat(descriptor, &info) == 0, Int(info.st_size) > limit { throw tooLarge }
        // The size may change while reading; read one byte past the limit to notice.
        let read = try readChunks(descriptor, path: path, upTo: limit.map { $0 + 1 } ?? Int.max, body)
        if let limit, let tooLarge, read > limit { throw tooLarge }
    }

    /// Opens `path` without blocking (a FIFO would wait for a writer) and refuses anything but a regular file.
    private static func openRegular(_ path: String) throws(Failure) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw failure(path, code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw Failure(path: path, problem: "is \(kind(info.st_mode)), not a regular file", isMissing: false)
        }
        return descriptor
    }

    /// Reads up to `maximum` bytes in chunks; returns how many were read.
    @discardableResult
    private static func readChunks(
        _ descriptor: Int32, path: String, upTo maximum: Int, _ body: (Data) -> Void
    ) throws(Failure) -> Int {
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while total < maximum {
            let wanted = min(buffer.count, maximum - total)
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, errno)
            }
            if count == 0 { break }
            total += count
            body(Data(buffer[0..<count]))
        }
        return total
    }

    /// The kind of a non-regular file, for messages.
    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    private static func failure(_ path: String, _ code: Int32) -> Failure {
        if code == ENOENT || code == ENOTDIR {
            return Failure(path: path, problem: "does not exist", isMissing: true)
        }
        if code == ENXIO {
            return Failure(
                path: path, problem: "is a socket or device without a reader, not a regular file", isMissing: false)
        }
        return Failure(path: path, problem: "cannot be read: \(String(cString: strerror(code)))", isMissing: false)
    }

    private static func sizeText(_ bytes: Int) -> String {
        bytes % (1024 * 1024) == 0 ? "\(bytes / 1024 / 1024) MiB" : "\(bytes) bytes"
    }
}
