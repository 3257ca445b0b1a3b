import Foundation
import OCCore

/// A provider that does everything `base` does, then dies before it can answer an apply: the engine sees
/// the failure a kill between the action and the journal write would leave (the world changed, nothing
/// confirmed in the journal).
package struct DiesAfterApplying: Provider {
    /// What the process "died" with.
    package struct Killed: Error, CustomStringConvertible {
        package var description: String { "killed after the action, before the journal write" }
    }

    /// The provider that really acts.
    package let base: any Provider

    /// Wraps `base`.
    package init(_ base: any Provider) { self.base = base }

    package var name: String { base.name }
    package var sections: [String] { base.sections }
    package func manages(_ declaration: ResourceDeclaration) -> Bool { base.manages(declaration) }
    package func schema(for section: String) -> ResourceSchema { base.schema(for: section) }
    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] { base.prerequisites(on: host) }
    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        try base.desiredState(of: declaration, context: context)
    }
    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse { try await base.observe(request) }
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        try base.program(for: change, context: context)
    }
    package func review(_ change: Change, context: ChangeContext) -> Review { base.review(change, context: context) }
    package func settle(_ response: ApplyResponse, for change: Change, context: ChangeContext) throws -> ApplyResponse {
        try base.settle(response, for: change, context: context)
    }
    package func intent(for change: Change, context: ChangeContext) throws -> Value? {
        try base.intent(for: change, context: context)
    }

    /// Applies through `base`, then throws ``Killed`` (a test double's override: it stands for a kill).
    package func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        _ = try await base.apply(request)
        throw Killed()
    }
}
