import Foundation
import OCCore

/// Hashes of local build inputs and tarballs, read on the machine running ocplan.
enum ContentHash {
    /// The SHA-256 of a file's bytes, read in chunks.
    ///
    /// - Parameter path: an absolute path.
    /// - Returns: 64 hex digits.
    /// - Throws: a `LocalFile.Failure` when the file is missing, is not a regular file or cannot be read.
    static func file(_ path: String) throws -> String {
        var digest = ContentDigest()
        // Opened without blocking and refused unless regular: a FIFO in a build context cannot hang a plan.
        try LocalFile.forEachChunk(path: path, limit: nil) { digest.update($0) }
        return digest.finalize()
    }

    /// The SHA-256 of a directory tree: every regular file's relative path and bytes and every symbolic
    /// link's target, in sorted path order, followed by `extra` (build arguments and the like).
    ///
    /// - Parameters:
    ///   - directory: an absolute path.
    ///   - extra: more text that belongs to the hashed input.
    /// - Returns: 64 hex digits.
    /// - Throws: an ``OCError`` when the directory does not exist or a file cannot be read.
    static func directory(_ directory: String, extra: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OCError(.notFound, "the build context \(directory) does not exist or is not a directory")
        }
        let root = URL(fileURLWithPath: directory)
        var entries: [String] = []
        if let enumerator = FileManager.default.enumerator(atPath: directory) {
            while let relative = enumerator.nextObject() as? String { entries.append(relative) }
        }
        var digest = ContentDigest()
        for relative in entries.sorted() {
            let path = root.appendingPathComponent(relative).path
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            switch attributes?[.type] as? FileAttributeType {
            case .typeSymbolicLink?:
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? ""
                digest.update("link \(relative) \(target)\n")
            case .typeRegular?:
                digest.update("file \(relative) \(try file(path))\n")
            default:
                continue
            }
        }
        digest.update(extra)
        return digest.finalize()
    }
}
