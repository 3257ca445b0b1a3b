/// Suggests the closest known word for a misspelt one ("did you mean 'capDrop'?").
package enum NearMiss {
    /// The candidate closest to `word` within a small edit distance, or `nil`.
    ///
    /// The distance allowed grows with the candidate's length (1 up to 5 letters, at most 3), so short
    /// keys are not matched by unrelated words.
    package static func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
        closest(to: word, among: candidates) { max(1, min(3, $0.count / 3)) }
    }

    /// The candidate closest to `word` within `maxDistance` edits, or `nil`; ties go to the earlier candidate.
    ///
    /// For values from a fixed vocabulary (protocols, capabilities, rule keywords), where a flat limit suits
    /// better than one that grows with the candidate's length.
    package static func suggestion(
        for word: String, among candidates: some Sequence<String>, maxDistance: Int
    ) -> String? {
        closest(to: word, among: candidates) { _ in maxDistance }
    }

    private static func closest(
        to word: String, among candidates: some Sequence<String>, limit: (String) -> Int
    ) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = candidate.lowercased() == lowered ? 0 : editDistance(lowered, candidate.lowercased())
            guard distance <= limit(candidate) else { continue }
            if best == nil || distance < best?.1 ?? .max { best = (candidate, distance) }
        }
        return best?.0
    }

    /// `" — did you mean 'x'?"` or an empty string.
    package static func hint(for word: String, among candidates: some Sequence<String>) -> String {
        suggestion(for: word, among: candidates).map { " — did you mean '\($0)'?" } ?? ""
    }

    /// `" Did you mean `x`?"`, a sentence to put in a diagnostic's detail, or an empty string; `x` is the
    /// candidate within `maxDistance` edits of `word` (see ``suggestion(for:among:maxDistance:)``).
    package static func detailHint(
        for word: String, among candidates: some Sequence<String>, maxDistance: Int = 2
    ) -> String {
        suggestion(for: word, among: candidates, maxDistance: maxDistance).map { " Did you mean `\($0)`?" } ?? ""
    }

    /// The edit distance between two strings, counting a swap of neighbours as one edit.
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
