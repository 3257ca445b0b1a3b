import Foundation

/// What the benchmark measures.
enum Measure: String, Codable, CaseIterable, Sendable {
    case plainCLI = "plain-cli"
    case floor
    case firstApply = "first-apply"
    case noopPlan = "noop-plan"
    case noopApply = "noop-apply"
    case validate
}

/// One size's samples, in seconds.
struct SizeResult: Codable, Sendable {
    var count: Int
    var samples: [Measure: [Double]]

    func median(_ measure: Measure) -> Double? {
        guard let values = samples[measure]?.sorted(), !values.isEmpty else { return nil }
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}

/// A run's results: written as JSON, compared with an earlier run, printed as a table.
struct Results: Codable, Sendable {
    var date = ISO8601DateFormatter().string(from: Date())
    var cores = ProcessInfo.processInfo.activeProcessorCount
    var repeatCount: Int
    var parallelism: Int
    var image: String
    var sizes: [SizeResult] = []

    /// The goals of issue 11, as (measure, over, at most).
    static let goals: [(Measure, Measure, Double)] = [
        (.firstApply, .plainCLI, 1.0), (.noopPlan, .floor, 1.1), (.noopApply, .noopPlan, 1.1),
    ]

    static func load(from path: String) throws -> Results {
        try JSONDecoder().decode(Results.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    func table(comparedWith previous: Results?) -> String {
        var lines = ["ocplan-bench: medians of \(repeatCount) runs, parallelism \(parallelism), \(cores) cores", ""]
        let header = ["N", "measure", "median", "per container", "earlier", "change"]
        var rows: [[String]] = []
        for (position, size) in sizes.enumerated() {
            let before = position > 0 ? sizes[position - 1] : nil
            let earlier = previous?.sizes.first { $0.count == size.count }
            for measure in Measure.allCases {
                guard let median = size.median(measure) else { continue }
                var row = ["\(size.count)", measure.rawValue, Self.format(median)]
                if let before, let low = before.median(measure) {
                    row.append(Self.format((median - low) / Double(size.count - before.count)))
                } else {
                    row.append("")
                }
                if let old = earlier?.median(measure) {
                    row += [Self.format(old), String(format: "%+.0f%%", (median / old - 1) * 100)]
                } else {
                    row += ["", ""]
                }
                rows.append(row)
            }
        }
        lines += Self.align([header] + rows)
        lines += ["", "Goals (issue 11):"]
        for size in sizes {
            for (measure, over, limit) in Self.goals {
                guard let value = size.median(measure), let base = size.median(over), base > 0 else { continue }
                let ratio = value / base
                lines.append(
                    "  N=\(size.count): \(measure.rawValue) / \(over.rawValue) = \(String(format: "%.2f", ratio))× "
                        + "(goal ≤ \(limit)×) \(ratio <= limit ? "met" : "NOT met")")
            }
            if let validate = size.median(.validate) {
                lines.append("  N=\(size.count): validate = \(Self.format(validate))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func format(_ seconds: Double) -> String {
        abs(seconds) < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.2f s", seconds)
    }

    static func align(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
    }
}
