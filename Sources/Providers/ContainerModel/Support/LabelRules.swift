import OCCore

/// The rule shared by every Podman object that carries labels.
enum LabelRules {
    /// An error for each label key that uses ocplan's reserved `io.ocplan.` prefix.
    static func reservedLabelProblems(_ labels: [String: String], in context: ValidationContext) -> [Diagnostic] {
        labels.keys.sorted().filter { $0.hasPrefix(TextRules.reservedLabelPrefix) }.map { key in
            context.error(
                "Label key uses the reserved io.ocplan. prefix",
                detail: "ocplan marks what it owns with `io.ocplan.*` labels (`io.ocplan.stack`, `io.ocplan.address`, "
                    + "`io.ocplan.spec-hash`); the label `\(key)` "
                    + "would confuse ownership. Rename it.",
                at: "labels.\(key)")
        }
    }
}
