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
    /// A replace forced by these attributes, which cannot change in place.
    case replaceBecauseOf([ValuePath])
    /// A replace because a resource it depends on is replaced (the schema's `replacedWith`).
    case replaceBecauseReplaced(Address)

    /// The line the human plan shows for it, or `nil` when the headline says it already.
    package var explanation: String? {
        switch self {
        case .notCreatedByStack: return "not created by this stack: it is left in place and the stack stops managing it"
        case .replaceBecauseOf: return nil
        case .replaceBecauseReplaced(let address): return "replaced because \(address) is replaced"
        }
    }
}
