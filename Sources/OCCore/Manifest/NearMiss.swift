/// Suggests the closest known word for a misspelt one ("did you mean 'capDrop'?").
package enum NearMiss {
    /// The candidate closest to `word` within a small edit distance, or `nil`.
    ///
    /// The distance allowed grows with the candidate's length (1 up to 5 letters, at most 3), so short
    /// keys are not matched by unrelated words.
    package static func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
        closest(to: word, among: candidates) { max(1, min(3, $0.count / 3)) }
    }

    /// The candidate closest to `word` within `maxDistance` edits, or `nil`; ties go to the alphabetically first.
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
            // Ties go to the alphabetically first candidate, so the suggestion does not depend on the order of
            // the candidates (a dictionary's keys differ from run to run).
            if let (name, least) = best, distance > least || (distance == least && name <= candidate) { continue }
            best = (candidate, distance)
        }
        return best?.0
    }

    /// The key of `candidates` that a mistaken key means: the same name in another case or with `_`/`-`
    /// (`cap_drop` → `capDrop`), the name compose or Ansible gives the field (`environment` → `env`, also when
    /// misspelt), else the closest key (``suggestion(for:among:)``).
    package static func keySuggestion(for key: String, among candidates: [String]) -> String? {
        let folded = fold(key)
        if let same = candidates.sorted().first(where: { fold($0) == folded }) { return same }
        let foreign =
            foreignKeys[folded]
            ?? suggestion(for: folded, among: foreignKeys.keys, maxDistance: folded.count > 6 ? 2 : 1).flatMap {
                foreignKeys[$0]
            }
        if let foreign, let target = foreign.first(where: candidates.contains) { return target }
        return suggestion(for: key, among: candidates)
    }

    /// `" — did you mean 'x'?"` for a mistaken key (``keySuggestion(for:among:)``), or an empty string.
    package static func keyHint(for key: String, among candidates: [String]) -> String {
        keySuggestion(for: key, among: candidates).map { " — did you mean '\($0)'?" } ?? ""
    }

    /// A name folded for comparing spellings: lower case, without `_` and `-`.
    private static func fold(_ name: String) -> String { name.lowercased().filter { $0 != "_" && $0 != "-" } }

    /// Names other tools give ocplan's fields, folded, with the ocplan names they may mean in the order tried.
    ///
    /// The tools: docker compose, and Ansible's podman_container, docker_container, copy, template and sysctl
    /// modules. Keys are folded (``fold(_:)``); names that differ only in case or `_` need no entry.
    private static let foreignKeys: [String: [String]] = [
        "environment": ["env"], "network": ["networks"], "networkmode": ["networks"], "net": ["networks"],
        "restartpolicy": ["restart"], "memlimit": ["memory"], "memorylimit": ["memory"], "mem": ["memory"],
        "workingdir": ["workdir"], "publish": ["ports"], "publishedports": ["ports"], "port": ["ports"],
        "extrahosts": ["addHosts"], "etchosts": ["addHosts"], "addhost": ["addHosts"], "dnsservers": ["dns"],
        "dnsserver": ["dns"], "volume": ["volumes"], "mounts": ["volumes"], "mount": ["volumes"],
        "label": ["labels"], "cpu": ["cpus"], "nanocpus": ["cpus"], "cpuscount": ["cpus"], "device": ["devices"],
        "sysctl": ["sysctls"], "ulimit": ["ulimits"], "cmd": ["command"], "args": ["command"],
        "logdriver": ["logging"], "log": ["logging"], "groupadd": ["groupAdd"], "groups": ["groupAdd"],
        "envfile": ["envFiles"], "envfiles": ["envFiles"], "requires": ["dependsOn"], "links": ["dependsOn"],
        "dependson": ["dependsOn"], "capadd": ["capAdd"], "capdrop": ["capDrop"], "securityopt": ["securityOpt"],
        "readonly": ["readOnly"], "readonlyrootfs": ["readOnly"], "stopsignal": ["stopSignal"],
        "stoptimeout": ["stopTimeout"], "stopgraceperiod": ["stopTimeout"], "health": ["healthcheck"],
        "user": ["user"], "dest": ["path"], "destination": ["path"], "src": ["source", "template"],
        "name": ["key"], "sysctlset": ["value"], "ipamsubnet": ["subnet"], "enableipv6": ["ipv6"],
        "containername": ["name"], "hostname": ["hostname"], "imagename": ["image"],
    ]

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
