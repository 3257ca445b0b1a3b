import Foundation

/// An operational failure: something went wrong while running, not in what the user wrote.
public struct OCError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// A stable, extensible error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case invalidManifest, toolMissing, commandFailed, stalePlan, locked, unsupported, notFound, internalError
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The manifest has errors (see the diagnostics).
        public static let invalidManifest = Code(.invalidManifest)
        /// A tool a provider needs is not installed.
        public static let toolMissing = Code(.toolMissing)
        /// An external command failed.
        public static let commandFailed = Code(.commandFailed)
        /// A saved plan no longer matches the world.
        public static let stalePlan = Code(.stalePlan)
        /// Another run holds the stack lock.
        public static let locked = Code(.locked)
        /// The request is not supported (section without a provider, OS, field).
        public static let unsupported = Code(.unsupported)
        /// A file or object the user named does not exist.
        public static let notFound = Code(.notFound)
        /// A broken invariant: a bug in ocplan.
        public static let internalError = Code(.internalError)

        public var description: String { kind.rawValue }
    }

    /// The code.
    public var code: Code
    /// What went wrong and how to fix it.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    public var errorDescription: String? { description }
}

/// Several failures from one run (an apply where more than one action failed).
public struct AggregateError: Error, Sendable, CustomStringConvertible {
    /// The failures, in the order they happened.
    public var errors: [any Error & Sendable]

    /// Creates an aggregate.
    public init(_ errors: [any Error & Sendable]) { self.errors = errors }

    public var description: String { errors.map { "\($0)" }.joined(separator: "\n") }
}
