// swift-tools-version: 6.2
// ocplan — a declarative reconciler for a private AI-assistant stack.
// The package reads as the architecture: arrows point from the CLI to providers to the core.

import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// Provider families: one target each, depending on `OCCore` (and the shared container model) only, so a
/// provider cannot see another.
let providerFamilies: [(target: String, folder: String, extra: [Target.Dependency])] = [
    ("OCFiles", "Files", []),
    ("OCSysctl", "Sysctl", []),
    ("OCContainerModel", "ContainerModel", []),
    ("OCPodman", "Podman", ["OCContainerModel"]),
    ("OCAppleContainer", "AppleContainer", ["OCContainerModel"]),
    ("OCMultipass", "Multipass", []),
    ("OCHeadscale", "Headscale", []),
    ("OCTailscale", "Tailscale", []),
    ("OCPacketFilter", "PacketFilter", []),
    ("OCIPTables", "IPTables", []),
    ("OCServices", "Services", []),
    ("OCTrust", "Trust", []),
    ("OCChecks", "Checks", []),
]

let package = Package(
    name: "ocplan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ocplan", targets: ["ocplan"]),
        .executable(name: "ocapply", targets: ["ocapply"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // MARK: - Core

        /// Manifest loading and validation, values, diff, graph, plan, apply walk, state, and the
        /// seams (`Provider`, `CommandRunner`). Knows nothing of any specific tool.
        .target(
            name: "OCCore",
            dependencies: [
                "Yams",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),

        /// The only place that starts processes: the subprocess runner and host transports.
        .target(
            name: "OCExec",
            dependencies: [
                "OCCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        /// Facts found on a host at plan time (`{ detect: default-route }`): the commands and their parsers.
        .target(name: "OCFacts", dependencies: ["OCCore"], swiftSettings: strict),

        // MARK: - CLI

        /// Commands, composition root (the only list of providers), renderers, exit codes.
        .target(
            name: "OCCLI",
            dependencies: [
                "OCCore", "OCExec", "OCFacts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ] + providerFamilies.map { .target(name: $0.target) },
            swiftSettings: strict
        ),
        /// `ocplan`: observe, diff and print the plan (also validate, schema, graph, history).
        .executableTarget(name: "ocplan", dependencies: ["OCCLI"], swiftSettings: strict),
        /// `ocapply`: apply a saved plan or plan-and-apply a manifest.
        .executableTarget(name: "ocapply", dependencies: ["OCCLI"], swiftSettings: strict),
        /// `ocplan-bench`: first apply, no-op plan, no-op apply and validate against the plain CLI and the
        /// observation floor, on a real Podman (docs/development.md; not a test, CI does not run it).
        .executableTarget(
            name: "ocplan-bench",
            dependencies: ["OCCore", "OCExec", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // MARK: - Test support

        /// Scripted runner, fakes, fixtures and helpers for the tests.
        .target(
            name: "OCTestSupport", dependencies: ["OCCore", "OCExec", "OCFacts", "OCContainerModel"],
            swiftSettings: strict),

        // MARK: - Tests

        .testTarget(name: "OCCoreTests", dependencies: ["OCCore", "OCTestSupport"], swiftSettings: strict),
        .testTarget(name: "OCExecTests", dependencies: ["OCExec", "OCTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "OCProvidersTests",
            // OCExec and OCCLI for ArgvInjectionTests, which covers the transports and validates with the full catalog.
            dependencies: ["OCCore", "OCExec", "OCCLI", "OCFacts", "OCTestSupport"]
                + providerFamilies.map { .target(name: $0.target) },
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OCCLITests",
            dependencies: [
                "OCCLI", "OCFacts", "OCTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "OCCLI", "OCExec", "OCTestSupport", "OCFiles", "OCSysctl", "OCContainerModel", "OCPodman", "OCIPTables",
            ],
            swiftSettings: strict
        ),
    ]
)

// MARK: - Provider families

/// One provider family each: Codable specs, schema, observation parsers, argv builders, the provider.
for family in providerFamilies {
    package.targets.append(
        .target(
            name: family.target,
            dependencies: ["OCCore"] + family.extra,
            path: "Sources/Providers/\(family.folder)",
            swiftSettings: strict
        )
    )
}
