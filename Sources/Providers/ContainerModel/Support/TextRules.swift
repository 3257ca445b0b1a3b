/// Small checks on names and keys shared by the Podman specs.
enum TextRules {
    /// The label prefix ocplan uses for its ownership marks (`io.ocplan.stack`, `io.ocplan.spec-hash`).
    static let reservedLabelPrefix = "io.ocplan."

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
}
