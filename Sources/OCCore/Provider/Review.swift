/// A provider's verdict on a planned change, given at plan time (``Provider/review(_:context:)``): notes for the
/// plan, refusals that make it an error, and a typed reason for the action.
package struct Review: Sendable, Hashable {
    /// Notes shown under the change.
    package var notes: [String]
    /// Why the change cannot be made: each one is a plan error naming the resource.
    package var refusals: [String]
    /// Why the action is what it is, when the provider knows better than the engine.
    package var reason: ActionReason?

    /// Creates a review.
    package init(notes: [String] = [], refusals: [String] = [], reason: ActionReason? = nil) {
        self.notes = notes
        self.refusals = refusals
        self.reason = reason
    }

    /// Nothing to say.
    package static let none = Review()
}

/// Why a change does what it does, as data (terraform's `action_reason`): kept in the plan file and the JSON plan.
package enum ActionReason: Sendable, Hashable, Codable {
    /// A delete that leaves the object in place: the stack did not create it, so it only stops managing it.
    case notCreatedByStack
    /// A delete that leaves the object and its data in place because its spec keeps them (a volume without
    /// `deleteData: true` applied), with the reason in a few words: the stack stops managing it.
    case kept(String)
    /// A replace forced by these attributes, which cannot change in place.
    case replaceBecauseOf([ValuePath])
    /// A replace because a resource it depends on is replaced (the schema's `replacedWith`).
    case replaceBecauseReplaced(Address)

    /// Whether a delete for this reason leaves the object where it is (a *forget*: only the journal entry goes).
    package var leavesObjectInPlace: Bool {
        switch self {
        case .notCreatedByStack, .kept: return true
        case .replaceBecauseOf, .replaceBecauseReplaced: return false
        }
    }

    /// The headline's words for a forget (`forgotten (not created by this stack)`), or `nil` for any other reason.
    package var forgetHeadline: String? {
        switch self {
        case .notCreatedByStack: return "forgotten (not created by this stack)"
        case .kept(let why): return "kept (\(why)) and forgotten"
        case .replaceBecauseOf, .replaceBecauseReplaced: return nil
        }
    }

    /// The line the human plan shows for it, or `nil` when the headline says it already.
    package var explanation: String? {
        switch self {
        case .notCreatedByStack, .kept: return "it stays on the host; the stack stops managing it"
        case .replaceBecauseOf: return nil
        case .replaceBecauseReplaced(let address): return "replaced because \(address) is replaced"
        }
    }
}

extension Change {
    /// Whether this is a delete that leaves the object in place (``ActionReason/leavesObjectInPlace``): a forget.
    package var forgets: Bool { action == .delete && reason?.leavesObjectInPlace == true }
}
