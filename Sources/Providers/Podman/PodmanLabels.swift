import Foundation
import OCCore

/// ocplan's ownership marks on Podman objects, and the spec hash.
///
/// Every network, volume and container the provider creates carries `io.ocplan.stack=<stack>`,
/// `io.ocplan.address=<address>` and `io.ocplan.spec-hash=<sha256>`. Built and imported images carry
/// only a content hash (`io.ocplan.build-hash`, `io.ocplan.import-hash`), never the stack label: a
/// container inherits its image's labels, and a stack label inherited that way would make someone else's
/// container look like the stack's own.
package enum PodmanLabels {
    /// The prefix of every ocplan label; user labels may not use it.
    package static let prefix = "io.ocplan."
    /// The stack that created the object.
    package static let stack = "io.ocplan.stack"
    /// The resource address the object belongs to.
    package static let address = "io.ocplan.address"
    /// The hash of the desired values Podman cannot report.
    package static let specHash = "io.ocplan.spec-hash"
    /// The hash of an image's build inputs.
    package static let buildHash = "io.ocplan.build-hash"
    /// The hash of an imported tarball.
    package static let importHash = "io.ocplan.import-hash"

    /// The `--filter` value that lists one stack's objects.
    package static func filter(stack: String) -> String { "label=\(Self.stack)=\(stack)" }

    /// The marks of a new object, in argv order.
    static func marks(stack: String, address: Address, hash: String) -> [(key: String, value: String)] {
        [(Self.stack, stack), (Self.address, address.description), (specHash, hash)]
    }

    /// The labels without ocplan's own.
    static func userLabels(_ labels: [String: String]?) -> [String: String] {
        (labels ?? [:]).filter { !$0.key.hasPrefix(prefix) }
    }

    /// The SHA-256 of a tree's canonical JSON.
    static func hash(_ value: Value) -> String { ContentDigest.sha256(value.canonicalJSON) }

    /// Who owns an object with `labels`, and a note naming the owner when it is not `stack`.
    ///
    /// - Parameters:
    ///   - labels: the object's labels.
    ///   - stack: this stack.
    ///   - kind: the object kind for the note (`container`).
    ///   - name: the object name for the note.
    /// - Returns: `.ours` for this stack's label; `.foreign` for another stack's or none.
    static func ownership(_ labels: [String: String]?, stack: String, kind: String, name: String)
        -> (ownership: Observation.Ownership, note: String?)
    {
        switch labels?[Self.stack] {
        case stack?: return (.ours, nil)
        case let other?:
            return (.foreign, "the \(kind) \(name) belongs to stack '\(other)' (label \(Self.stack)=\(other))")
        case nil: return (.foreign, "the \(kind) \(name) was not created by ocplan (it has no \(Self.stack) label)")
        }
    }
}
