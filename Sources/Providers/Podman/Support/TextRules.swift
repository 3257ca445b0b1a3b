/// Small checks on names and keys shared by the Podman specs.
enum TextRules {
    /// The label prefix ocplan uses for its ownership marks (`oc.owner`, `oc.hash`).
    static let reservedLabelPrefix = "oc."

    /// Why `key` cannot be an environment variable name, or `nil` when it can.
    static func environmentKeyProblem(_ key: String) -> String? {
        if key.isEmpty { return "is empty" }
        if key.contains("=") { return "contains '='" }
        if key.contains(where: { $0.isWhitespace || $0 == "\0" }) { return "contains white space" }
        return nil
    }

    /// Whether `name` is a valid Podman object name (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`).
    static func isValidObjectName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// The closest of `candidates` to `word` when it is a plausible typo (edit distance ≤ 2).
    static func nearMiss(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1]
            for (j, cb) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
