/// The planner's decision for one resource, as a pure table: what was found, who owns it, what the journal
/// says and what the diff says go in; an action, a cause and a note come out.
///
/// The planner fills a ``Change`` from the verdict; keeping the rules here lets them be tested as a table.
package enum Classification {
    /// Who owns what was found, decided once (ownership mark, journal, lifecycle, `--adopt`).
    package enum Ownership: Sendable, Hashable {
        /// The stack's: carries its mark, or the journal knows it, or it is a setting.
        case managed
        /// Not the stack's, but `--adopt` takes it over.
        case adopting
        /// Not the stack's.
        case foreign
    }

    /// What the planner knows about one resource.
    package struct Facts: Sendable, Hashable {
        /// The manifest no longer declares it, or the plan destroys the stack.
        package var deleting: Bool
        /// Something exists where the resource should be.
        package var exists: Bool
        /// Who owns what exists.
        package var ownership: Ownership
        /// The journal has an entry for it.
        package var journaled: Bool
        /// That entry is an intent the last apply never confirmed.
        package var pending: Bool
        /// The journaled tree equals the desired one (so a difference was made by hand).
        package var appliedIsDesired: Bool
        /// The resource is a setting (taken over, never created).
        package var isSetting: Bool
        /// Attributes differ.
        package var differs: Bool
        /// A differing attribute cannot change in place.
        package var forcesReplace: Bool
        /// The last apply of it did not converge (its read-back still differed).
        package var notConverged: Bool

        /// Creates facts.
        package init(
            deleting: Bool = false, exists: Bool, ownership: Ownership = .managed, journaled: Bool = true,
            pending: Bool = false, appliedIsDesired: Bool = false, isSetting: Bool = false, differs: Bool = false,
            forcesReplace: Bool = false, notConverged: Bool = false
        ) {
            self.deleting = deleting
            self.exists = exists
            self.ownership = ownership
            self.journaled = journaled
            self.pending = pending
            self.appliedIsDesired = appliedIsDesired
            self.isSetting = isSetting
            self.differs = differs
            self.forcesReplace = forcesReplace
            self.notConverged = notConverged
        }
    }

    /// What the planner does with the resource.
    package enum Verdict: Sendable, Hashable {
        /// Nothing to do.
        case noop
        /// An action with its cause and, when there is one, a note for the plan.
        case act(Action, Cause, note: Note?)
        /// Gone from the manifest, but what exists now is not the stack's: left alone, with a warning.
        case leaveForeign
        /// Declared, but an object the stack does not own is in the way: a plan error.
        case refuseForeign
    }

    /// The notes the table adds.
    package enum Note: Sendable, Hashable {
        /// The journal knew it, and it is gone.
        case deletedOutside
        /// The last apply stopped before it finished.
        case unfinished
        /// `--adopt` takes an unmarked object over.
        case adopted
        /// A setting is taken over; its value now is restored on delete.
        case takenOver
    }

    /// The decision for `facts`.
    package static func decide(_ facts: Facts) -> Verdict {
        if facts.deleting {
            guard facts.exists else { return .noop }
            return facts.ownership == .foreign ? .leaveForeign : .act(.delete, .manifest, note: nil)
        }
        guard facts.exists else {
            if facts.pending { return .act(.create, .manifest, note: .unfinished) }
            return facts.journaled ? .act(.create, .drift, note: .deletedOutside) : .act(.create, .manifest, note: nil)
        }
        if facts.ownership == .foreign { return .refuseForeign }
        if !facts.journaled && (facts.isSetting || facts.ownership == .adopting) {
            let adopting = facts.ownership == .adopting
            let action: Action = adopting && facts.differs && facts.forcesReplace ? .replace : .create
            return .act(action, .manifest, note: adopting ? .adopted : .takenOver)
        }
        guard facts.differs else { return .noop }
        let cause: Cause =
            facts.notConverged
            ? .notConverged : facts.journaled && facts.appliedIsDesired && !facts.pending ? .drift : .manifest
        return .act(facts.forcesReplace ? .replace : .update, cause, note: nil)
    }
}
