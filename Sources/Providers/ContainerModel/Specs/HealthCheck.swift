import OCCore

/// A container health check (`--health-cmd` and friends).
package struct HealthCheck: Sendable, Hashable, Codable {
    /// The command as an argv list; ocplan passes it to Podman as a JSON array, so no shell is needed in the
    /// image (Headscale's image has none).
    package var test: [String]
    /// Time between checks (Go duration).
    package var interval: String
    /// Time a check may take.
    package var timeout: String
    /// Consecutive failures before the container is unhealthy.
    package var retries: Int
    /// Grace period after start during which failures do not count.
    package var startPeriod: String

    /// Creates a health check with Podman's defaults for the omitted values.
    package init(
        test: [String], interval: String = "30s", timeout: String = "30s", retries: Int = 3, startPeriod: String = "0s"
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.startPeriod = startPeriod
    }

    private enum CodingKeys: String, CodingKey {
        case test, interval, timeout, retries, startPeriod
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            test: try c.decode([String].self, forKey: .test),
            interval: try c.decode(.interval, default: "30s"),
            timeout: try c.decode(.timeout, default: "30s"),
            retries: try c.decode(.retries, default: 3),
            startPeriod: try c.decode(.startPeriod, default: "0s")
        )
    }
}
