import Foundation

/// A line diff of two texts in unified form, for file content in plans.
enum TextDiff {
    enum Line: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The edit script from `old` to `new` (longest common subsequence of lines).
    static func lines(_ old: String, _ new: String) -> [Line]? {
        var a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if a.last == "", b.last == "" {
            a.removeLast()
            b.removeLast()
        }
        guard a.count * b.count <= 4_000_000 else { return nil }
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [Line] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append(.same(a[i]))
                i += 1
                j += 1
            } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                out.append(.added(b[j]))
                j += 1
            } else {
                out.append(.removed(a[i]))
                i += 1
            }
        }
        return out
    }

    /// Unified hunks with `context` lines around each change.
    static func unified(_ old: String, _ new: String, context: Int = 3) -> [String] {
        guard let script = lines(old, new) else {
            return ["(content differs: too large to show line by line)"]
        }
        let changed = script.indices.filter {
            guard case .same = script[$0] else { return true }
            return false
        }
        guard !changed.isEmpty else { return [] }
        var keep = Set<Int>()
        for index in changed {
            for k in max(0, index - context)...min(script.count - 1, index + context) { keep.insert(k) }
        }
        var out: [String] = []
        var previous = -2
        for index in keep.sorted() {
            if index != previous + 1, !out.isEmpty { out.append("@@ … @@") }
            previous = index
            switch script[index] {
            case .same(let s): out.append("  " + s)
            case .removed(let s): out.append("- " + s)
            case .added(let s): out.append("+ " + s)
            }
        }
        return out
    }
}
