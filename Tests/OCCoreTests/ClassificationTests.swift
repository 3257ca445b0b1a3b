import OCCore
import Testing

/// The planner's action/cause table, row by row.
@Suite struct ClassificationTests {
    typealias Facts = Classification.Facts

    static let rows: [(String, Facts, Classification.Verdict)] = [
        ("new resource", Facts(exists: false, journaled: false), .act(.create, .manifest, note: nil)),
        ("deleted by hand", Facts(exists: false), .act(.create, .drift, note: .deletedOutside)),
        ("an unfinished apply", Facts(exists: false, pending: true), .act(.create, .manifest, note: .unfinished)),
        ("in sync", Facts(exists: true), .noop),
        (
            "changed by hand", Facts(exists: true, appliedIsDesired: true, differs: true),
            .act(.update, .drift, note: nil)
        ),
        ("manifest edit", Facts(exists: true, differs: true), .act(.update, .manifest, note: nil)),
        (
            "manifest edit that forces a replace", Facts(exists: true, differs: true, forcesReplace: true),
            .act(.replace, .manifest, note: nil)
        ),
        (
            "drift on an unconfirmed intent is the apply's, not a hand's",
            Facts(exists: true, pending: true, appliedIsDesired: true, differs: true),
            .act(.update, .manifest, note: nil)
        ),
        ("a foreign look-alike", Facts(exists: true, ownership: .foreign, journaled: false), .refuseForeign),
        (
            "a setting taken over", Facts(exists: true, journaled: false, isSetting: true, differs: true),
            .act(.create, .manifest, note: .takenOver)
        ),
        (
            "adopted as it is", Facts(exists: true, ownership: .adopting, journaled: false),
            .act(.create, .manifest, note: .adopted)
        ),
        (
            "adopted with a field that forces a replace",
            Facts(exists: true, ownership: .adopting, journaled: false, differs: true, forcesReplace: true),
            .act(.replace, .manifest, note: .adopted)
        ),
        ("removed from the manifest", Facts(deleting: true, exists: true), .act(.delete, .manifest, note: nil)),
        ("removed and already gone", Facts(deleting: true, exists: false), .noop),
        (
            "removed, but a foreign object is there", Facts(deleting: true, exists: true, ownership: .foreign),
            .leaveForeign
        ),
        (
            "removed, but adopted", Facts(deleting: true, exists: true, ownership: .adopting, journaled: false),
            .act(.delete, .manifest, note: nil)
        ),
    ]

    @Test(arguments: rows)
    func row(_ name: String, facts: Facts, verdict: Classification.Verdict) {
        #expect(Classification.decide(facts) == verdict, "\(name)")
    }
}
