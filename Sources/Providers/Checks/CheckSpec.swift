import OCCore

/// A read-only command whose result must match: one entry of the `checks` section.
///
/// Checks change nothing; they run after apply (and with `ocplan check`) to verify that the stack works end
/// to end, e.g. that the Mac reaches the exit node directly. A check is retried until it passes or its
/// retries run out.
package struct CheckSpec: ResourceSpec, Equatable, Codable {
    /// What the command's result must look like.
    package struct Expectation: Sendable, Hashable, Codable {
        /// The exit status.
        package var exitCode: Int
        /// Texts standard output must contain (all of them).
        package var stdoutContains: [String]
        /// Texts standard output must not contain.
        package var stdoutNotContains: [String]
        /// Texts standard error must contain.
        package var stderrContains: [String]
        /// A regular expression standard output must match.
        package var stdoutMatches: String?

        /// Creates an expectation; by default only a zero exit status.
        package init(
            exitCode: Int = 0, stdoutContains: [String] = [], stdoutNotContains: [String] = [],
            stderrContains: [String] = [], stdoutMatches: String? = nil
        ) {
            self.exitCode = exitCode
            self.stdoutContains = stdoutContains
            self.stdoutNotContains = stdoutNotContains
            self.stderrContains = stderrContains
            self.stdoutMatches = stdoutMatches
        }

        private enum CodingKeys: String, CodingKey {
            case exitCode, stdoutContains, stdoutNotContains, stderrContains, stdoutMatches
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                exitCode: try c.decode(.exitCode, default: 0),
                stdoutContains: try Self.decodeTexts(c, .stdoutContains),
                stdoutNotContains: try Self.decodeTexts(c, .stdoutNotContains),
                stderrContains: try Self.decodeTexts(c, .stderrContains),
                stdoutMatches: try c.decodeIfPresent(String.self, forKey: .stdoutMatches))
        }

        /// Reads one text or a list of texts.
        private static func decodeTexts(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [String] {
            if let single = try? c.decodeIfPresent(String.self, forKey: key) { return [single] }
            return try c.decode(key, default: [])
        }
    }

    package static let section = "checks"

    /// The host the command runs on.
    package var host: String
    /// The command as an argv list.
    package var run: [String]
    /// What the result must look like.
    package var expect: Expectation
    /// How long one attempt may take (Go duration).
    package var timeout: String
    /// How many more attempts after a failure.
    package var retries: Int
    /// The pause between attempts (Go duration).
    package var interval: String

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local", run: [String], expect: Expectation = Expectation(), timeout: String = "30s",
        retries: Int = 0, interval: String = "2s"
    ) {
        self.host = host
        self.run = run
        self.expect = expect
        self.timeout = timeout
        self.retries = retries
        self.interval = interval
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, run, expect, timeout, retries, interval
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            run: try c.decode([String].self, forKey: .run),
            expect: try c.decode(.expect, default: Expectation()),
            timeout: try c.decode(.timeout, default: "30s"),
            retries: try c.decode(.retries, default: 0),
            interval: try c.decode(.interval, default: "2s")
        )
    }

    // MARK: - Schema

    /// The keys of a `checks` entry.
    package static let schema = ObjectSchema(
        "A read-only command whose result must match, run after apply.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host the command runs on.", default: "local", update: .replace),
            FieldSchema(
                "run", .strings, required: true, doc: "The command as an argv list, run without a shell.",
                update: .inPlace),
            FieldSchema(
                "expect", .object(expectationSchema), doc: "What the result must look like.",
                default: "exit code 0", update: .inPlace),
            FieldSchema(
                "timeout", .string(.duration), doc: "How long one attempt may take.", default: "30s",
                update: .inPlace),
            FieldSchema(
                "retries", .integer(min: 0), doc: "How many more attempts after a failure.", default: "0",
                update: .inPlace),
            FieldSchema(
                "interval", .string(.duration), doc: "The pause between attempts.", default: "2s", update: .inPlace),
        ]
    )

    /// The keys of `expect`.
    static let expectationSchema = ObjectSchema(
        "The expected result of a check.",
        fields: [
            FieldSchema(
                "exitCode", .integer(min: 0, max: 255), doc: "The exit status.", default: "0", update: .inPlace),
            FieldSchema(
                "stdoutContains", .oneOf([.string(), .strings]),
                doc: "A text, or texts, standard output must contain (`via direct`).", default: "[]",
                update: .inPlace),
            FieldSchema(
                "stdoutNotContains", .oneOf([.string(), .strings]), doc: "Texts standard output must not contain.",
                default: "[]", update: .inPlace),
            FieldSchema(
                "stderrContains", .oneOf([.string(), .strings]), doc: "Texts standard error must contain.",
                default: "[]", update: .inPlace),
            FieldSchema(
                "stdoutMatches", .string(), doc: "A regular expression standard output must match.", update: .inPlace),
        ]
    )

    // MARK: - Validation

    /// Checks the command, the durations and the regular expression.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if run.isEmpty {
            diagnostics.append(
                context.error(
                    "Command is empty", detail: "Give the command as an argv list, e.g. [tailscale, status].", at: "run"
                ))
        } else if run.count == 1, run[0].contains(" ") {
            diagnostics.append(
                context.warning(
                    "Command is one word with spaces",
                    detail:
                        "Checks run without a shell, so `\(run[0])` is looked up as one program name. Split it into "
                        + "an argv list, e.g. [tailscale, ping, 100.64.0.2].",
                    at: "run"))
        }
        for (field, value) in [("timeout", timeout), ("interval", interval)] {
            guard let seconds = Formats.seconds(value, syntax: .go) else {
                diagnostics.append(
                    context.error(
                        "Invalid duration", detail: "`\(value)` is not a duration. Write e.g. 30s, 1m30s or 500ms.",
                        at: field))
                continue
            }
            if field == "timeout", seconds <= 0 {
                diagnostics.append(
                    context.error(
                        "Timeout must be positive", detail: "A check needs time to run. Give a timeout such as 10s.",
                        at: field))
            }
        }
        if let pattern = expect.stdoutMatches, (try? Regex(pattern)) == nil {
            diagnostics.append(
                context.error(
                    "Invalid regular expression",
                    detail: "`\(pattern)` does not compile. Fix the pattern, or use `stdoutContains` for plain text.",
                    at: "expect.stdoutMatches"))
        }
        let contradictions = Set(expect.stdoutContains).intersection(expect.stdoutNotContains)
        if !contradictions.isEmpty {
            diagnostics.append(
                context.error(
                    "Check can never pass",
                    detail: "Standard output must both contain and not contain "
                        + contradictions.sorted().map { "`\($0)`" }.joined(separator: ", ") + ". Remove one of them.",
                    at: "expect"))
        }
        return diagnostics
    }
}
