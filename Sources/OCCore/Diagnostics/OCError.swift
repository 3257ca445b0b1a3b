import Foundation

/// An operational failure: something went wrong while running, not in what the user wrote.
package struct OCError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// A stable, extensible error code.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case invalidManifest, toolMissing, commandFailed, stalePlan, locked, unsupported, notFound, internalError
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The manifest has errors (see the diagnostics).
        package static let invalidManifest = Code(.invalidManifest)
        /// A tool a provider needs is not installed.
        package static let toolMissing = Code(.toolMissing)
        /// An external command failed.
        package static let commandFailed = Code(.commandFailed)
        /// A saved plan no longer matches the world.
        package static let stalePlan = Code(.stalePlan)
        /// Another run holds the stack lock.
        package static let locked = Code(.locked)
        /// The request is not supported (section without a provider, OS, field).
        package static let unsupported = Code(.unsupported)
        /// A file or object the user named does not exist.
        package static let notFound = Code(.notFound)
        /// A broken invariant: a bug in ocplan.
        package static let internalError = Code(.internalError)

        package var description: String { kind.rawValue }
    }

    /// The code.
    package var code: Code
    /// What went wrong and how to fix it.
    package var message: String
    /// The underlying error, if any.
    package var cause: (any Error & Sendable)?

    /// Creates an error.
    package init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    package var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    package var errorDescription: String? { description }
}

/// Several failures from one run (an apply where more than one action failed).
package struct AggregateError: Error, Sendable, CustomStringConvertible {
    /// The failures, in the order they happened.
    package var errors: [any Error & Sendable]

    /// Creates an aggregate.
    package init(_ errors: [any Error & Sendable]) { self.errors = errors }

    package var description: String { errors.map { "\($0)" }.joined(separator: "\n") }
}
