/// Serialises read-modify-write edits of the same file within one process (``Step/edit(_:)``).
///
/// Several resources on one host apply in parallel and may share a file (sysctl resources and their
/// persistence file); each edit reads the file, changes its own block and writes the file back, so two edits of
/// the same file must not overlap. Edits of different files run freely. Waiters are served first come, first
/// served. The engine holds one per apply and hands it to every change (``ApplyRequest/fileLocks``).
package actor FileEditLocks {
    private var held: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Creates a set of locks, none held.
    package init() {}

    /// Runs `body` while holding the lock for `key`.
    ///
    /// - Parameters:
    ///   - key: what is locked (the file's path).
    ///   - body: the edit.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws (the lock is released either way).
    package nonisolated func withLock<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        do {
            let result = try await body()
            await release(key)
            return result
        } catch {
            await release(key)
            throw error
        }
    }

    private func acquire(_ key: String) async {
        guard held.contains(key) else {
            held.insert(key)
            return
        }
        // Ownership is handed over by `release`, which resumes the first waiter without freeing the key.
        await withCheckedContinuation { waiters[key, default: []].append($0) }
    }

    private func release(_ key: String) {
        guard var queue = waiters[key], !queue.isEmpty else {
            held.remove(key)
            return
        }
        let next = queue.removeFirst()
        waiters[key] = queue.isEmpty ? nil : queue
        next.resume()
    }
}
