/// Compares two attribute trees under a resource schema.
public enum Differ {
    /// The attributes that differ between `before` (observed) and `after` (desired).
    ///
    /// Maps are compared key by key; lists and scalars as whole values. Ignored paths are skipped;
    /// sensitive and replace-forcing paths are flagged. `secrets` marks any value containing one as
    /// sensitive even where the schema does not say so (values from `${env:…}`).
    public static func diff(
        _ before: Value?,
        _ after: Value?,
        schema: ResourceSchema,
        secrets: Set<String> = []
    ) -> [AttributeChange] {
        var out: [AttributeChange] = []
        walk(before, after, path: .root, schema: schema, secrets: secrets, into: &out)
        return out
    }

    private static func walk(
        _ before: Value?,
        _ after: Value?,
        path: ValuePath,
        schema: ResourceSchema,
        secrets: Set<String>,
        into out: inout [AttributeChange]
    ) {
        if !path.components.isEmpty, schema.isIgnored(path) { return }
        let b = before == .null ? nil : before
        let a = after == .null ? nil : after
        if b == a { return }
        switch (b, a) {
        case (.map(let lm)?, .map(let rm)?):
            for key in Set(lm.keys).union(rm.keys).sorted() {
                walk(lm[key], rm[key], path: path.appending(key), schema: schema, secrets: secrets, into: &out)
            }
        case (.map(let lm)?, nil):
            for key in lm.keys.sorted() {
                walk(lm[key], nil, path: path.appending(key), schema: schema, secrets: secrets, into: &out)
            }
        case (nil, .map(let rm)?):
            for key in rm.keys.sorted() {
                walk(nil, rm[key], path: path.appending(key), schema: schema, secrets: secrets, into: &out)
            }
        default:
            let sensitive =
                schema.isSensitive(path) || containsSecret(b, secrets) || containsSecret(a, secrets)
            out.append(
                AttributeChange(
                    path: path, before: b, after: a, forcesReplace: schema.forcesReplace(path), sensitive: sensitive))
        }
    }

    /// Whether any string in `value` contains one of `secrets`.
    public static func containsSecret(_ value: Value?, _ secrets: Set<String>) -> Bool {
        guard let value, !secrets.isEmpty else { return false }
        switch value {
        case .string(let s): return secrets.contains { s.contains($0) }
        case .list(let l): return l.contains { containsSecret($0, secrets) }
        case .map(let m): return m.values.contains { containsSecret($0, secrets) }
        default: return false
        }
    }
}
