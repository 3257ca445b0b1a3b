import Foundation
import OCCore

/// Renders a plan as the documented machine format (docs/plan-json.md); secrets never appear in it.
package enum JSONPlanRenderer {
    struct Document: Encodable {
        var formatVersion: Int
        var stack: String
        var createdAt: Date
        var destroy: Bool
        var targets: [String]
        var hasChanges: Bool
        var summary: [String: Int]
        var changes: [ChangeDocument]
        var missingTools: [Prerequisite]
        var warnings: [DiagnosticDocument]
    }

    struct ChangeDocument: Encodable {
        var address: String
        var provider: String
        var host: String
        var action: String
        var cause: String?
        var replaceReasons: [String]
        var attributes: [AttributeDocument]
        var before: Value?
        var after: Value?
        var dependencies: [String]
        var notes: [String]
        var actionReason: ReasonDocument?
        var restart: Bool
        var triggeredBy: [String]
    }

    /// Why the action is what it is (``ActionReason``): `kind`, with the `paths`, `address` or `why` it names.
    struct ReasonDocument: Encodable {
        var kind: String
        var paths: [String]?
        var address: String?
        var why: String?

        init(_ reason: ActionReason) {
            switch reason {
            case .notCreatedByStack: kind = "notCreatedByStack"
            case .kept(let why):
                kind = "kept"
                self.why = why
            case .replaceBecauseOf(let paths):
                kind = "replaceBecauseOf"
                self.paths = paths.map(\.description)
            case .replaceBecauseReplaced(let address):
                kind = "replaceBecauseReplaced"
                self.address = address.description
            }
        }
    }

    struct AttributeDocument: Encodable {
        var path: String
        var before: Value?
        var after: Value?
        var sensitive: Bool
        var forcesReplace: Bool
        var membership: MembershipDocument?
    }

    /// A join or a leave (``Membership``): `kind` (`join`, `leave`), the `member` key, and whether it undoes what
    /// was done outside ocplan.
    struct MembershipDocument: Encodable {
        var kind: String
        var member: String
        var outsideOcplan: Bool

        init?(_ attribute: AttributeChange) {
            guard let membership = attribute.membership, case .key(let key)? = attribute.path.components.last else {
                return nil
            }
            kind = membership.kind.rawValue
            member = key
            outsideOcplan = membership.outsideOcplan
        }
    }

    struct DiagnosticDocument: Encodable {
        var severity: String
        var summary: String
        var detail: String?
        var location: String?
        var keyPath: String?
    }

    /// The JSON text of `plan`, with every secret replaced by `(sensitive)`.
    package static func render(_ plan: Plan) throws -> String {
        let plan = plan.displayed
        let secrets = plan.secrets
        var summary: [String: Int] = [:]
        for action in Action.allCases { summary[action.rawValue] = plan.summary[action] ?? 0 }
        summary["restart"] = plan.restartCount
        summary["forget"] = plan.forgetCount
        let document = Document(
            formatVersion: Plan.currentFormatVersion, stack: plan.stack, createdAt: plan.createdAt,
            destroy: plan.destroy, targets: plan.targets.map(\.description), hasChanges: plan.hasChanges,
            summary: summary,
            changes: plan.changes.map { change in
                ChangeDocument(
                    address: change.address.description, provider: change.provider, host: change.host.name,
                    action: change.action.rawValue, cause: change.cause?.rawValue,
                    replaceReasons: change.action == .replace ? change.replaceReasons.map(\.description) : [],
                    attributes: change.attributes.map {
                        AttributeDocument(
                            path: $0.path.description, before: $0.sensitive ? nil : redact($0.before, secrets),
                            after: $0.sensitive ? nil : redact($0.after, secrets), sensitive: $0.sensitive,
                            forcesReplace: $0.forcesReplace, membership: MembershipDocument($0))
                    },
                    before: redact(change.sensitivePaths.redact(change.before), secrets),
                    after: redact(change.sensitivePaths.redact(change.after), secrets),
                    dependencies: change.dependencies.map(\.description), notes: change.notes,
                    actionReason: change.reason.map(ReasonDocument.init),
                    restart: change.restarts, triggeredBy: change.triggeredBy.map(\.description))
            },
            missingTools: plan.missingTools,
            warnings: plan.warnings.map {
                DiagnosticDocument(
                    severity: $0.severity.rawValue, summary: $0.summary, detail: $0.detail,
                    location: $0.location?.description, keyPath: $0.keyPath)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    /// `value` with every occurrence of a secret (of searchable length) replaced by `(sensitive)`: the safety net
    /// behind the marks, for a secret that reached an unmarked attribute.
    static func redact(_ value: Value?, _ secrets: Set<String>) -> Value? {
        guard let value, !secrets.isEmpty else { return value }
        switch value {
        case .string(let s): return .string(DisplayText.redact(s, secrets: secrets))
        case .list(let l): return .list(l.map { redact($0, secrets) ?? .null })
        case .map(let m): return .map(m.mapValues { redact($0, secrets) ?? .null })
        default: return value
        }
    }
}
