/// Compares two attribute trees under a resource schema.
package enum Differ {
    /// The attributes that differ between `before` (observed) and `after` (desired).
    ///
    /// Maps are compared key by key (in a membership map, an entry on one side only is one join or leave); lists
    /// and scalars as whole values. Ignored paths are skipped;
    /// sensitive and replace-forcing paths are flagged: an attribute is sensitive when the schema says so or
    /// when it is at, under or above a path of `sensitive` (both of its sides are then secrets).
    package static func diff(
        _ before: Value?,
        _ after: Value?,
        schema: ResourceSchema,
        sensitive: SensitivePaths = SensitivePaths()
    ) -> [AttributeChange] {
        var out: [AttributeChange] = []
        walk(before, after, path: .root, schema: schema, sensitive: sensitive, into: &out)
        return out
    }

    private static func walk(
        _ before: Value?,
        _ after: Value?,
        path: ValuePath,
        schema: ResourceSchema,
        sensitive: SensitivePaths,
        into out: inout [AttributeChange]
    ) {
        if !path.components.isEmpty, schema.isIgnored(path) { return }
        let b = before == .null ? nil : before
        let a = after == .null ? nil : after
        if b == a { return }
        switch (b, a) {
        case (.map(let lm)?, .map(let rm)?) where schema.isMembership(path):
            // An entry on one side only is one join or leave; entries on both sides are compared inside.
            for key in Set(lm.keys).union(rm.keys).sorted() {
                let left = lm[key] == .null ? nil : lm[key]
                let right = rm[key] == .null ? nil : rm[key]
                let entry = path.appending(key)
                if left != nil, right != nil {
                    walk(left, right, path: entry, schema: schema, sensitive: sensitive, into: &out)
                } else if left != nil || right != nil, !schema.isIgnored(entry) {
                    out.append(
                        AttributeChange(
                            path: entry, before: left, after: right, forcesReplace: schema.forcesReplace(entry),
                            sensitive: schema.isSensitive(entry) || sensitive.covers(entry),
                            membership: Membership(right == nil ? .leave : .join)))
                }
            }
        case (.map(let lm)?, .map(let rm)?):
            for key in Set(lm.keys).union(rm.keys).sorted() {
                walk(lm[key], rm[key], path: path.appending(key), schema: schema, sensitive: sensitive, into: &out)
            }
        case (.map(let lm)?, nil):
            for key in lm.keys.sorted() {
                walk(lm[key], nil, path: path.appending(key), schema: schema, sensitive: sensitive, into: &out)
            }
        case (nil, .map(let rm)?):
            for key in rm.keys.sorted() {
                walk(nil, rm[key], path: path.appending(key), schema: schema, sensitive: sensitive, into: &out)
            }
        default:
            out.append(
                AttributeChange(
                    path: path, before: b, after: a, forcesReplace: schema.forcesReplace(path),
                    sensitive: schema.isSensitive(path) || sensitive.covers(path)))
        }
    }
}
