import Foundation
import OCCLI
import OCCore
import OCTestSupport
import Testing

/// Paths, names and keys the manifest gives hold no control characters (a newline in a path split the line-based
/// outputs the providers parse); each is refused with the key's location.
@Suite struct ControlCharacterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var key: String
        var sections: String
        var testDescription: String { key }
    }

    static let cases: [Case] = [
        Case(key: "files.f.path", sections: "files:\n  f: { path: \"/tmp/aVALUEb\", content: x }\n"),
        Case(key: "files.f.owner", sections: "files:\n  f: { path: /tmp/f, content: x, owner: \"rootVALUE\" }\n"),
        Case(key: "files.f.group", sections: "files:\n  f: { path: /tmp/f, content: x, group: \"wheelVALUE\" }\n"),
        Case(key: "sysctl.s.key", sections: "sysctl:\n  s: { key: \"net.ipv4.ip_forwardVALUE\", value: \"1\" }\n"),
        Case(
            key: "sysctl.s.persistFile",
            sections:
                "sysctl:\n  s: { key: net.ipv4.ip_forward, value: \"1\", persist: true, persistFile: \"/etc/aVALUE\" }\n"
        ),
        Case(key: "iptables.c.chain", sections: "iptables:\n  c: { chain: \"OC_AVALUE\" }\n"),
        Case(key: "containers.c.image", sections: "containers:\n  c: { image: \"busyboxVALUE\" }\n"),
        Case(key: "containers.c.user", sections: "containers:\n  c: { image: busybox, user: \"appVALUE\" }\n"),
        Case(key: "containers.c.labels", sections: "containers:\n  c: { image: busybox, labels: { \"kVALUE\": v } }\n"),
        Case(key: "containers.c.env", sections: "containers:\n  c: { image: busybox, env: { \"KVALUE\": v } }\n"),
        Case(key: "networks.n.options", sections: "networks:\n  n: { options: { \"mtuVALUE\": \"1400\" } }\n"),
        Case(key: "hosts.h.address", sections: "hosts:\n  h: { transport: ssh, address: \"h.lanVALUE\" }\n"),
        Case(key: "hosts (name)", sections: "hosts:\n  \"hVALUE\": { transport: local }\n"),
        Case(key: "containers (name)", sections: "containers:\n  \"cVALUE\": { image: busybox }\n"),
    ]

    /// A newline, an escape, DEL and a C1 control (NEL).
    static let controls = ["\\n", "\\e", "\\x7F", "\\x85"]

    @Test(arguments: cases)
    func aControlCharacterIsRefusedWithItsLocation(_ entry: Case) async throws {
        #expect(try await Self.errors(entry.sections, "").isEmpty, "the manifest is valid without the character")
        for control in Self.controls {
            let errors = try await Self.errors(entry.sections, control)
            #expect(!errors.isEmpty, "\(entry.key) accepts \(control)")
            #expect(errors.allSatisfy { $0.location != nil }, "\(errors)")
        }
    }

    static func errors(_ sections: String, _ escape: String) async throws -> [Diagnostic] {
        let directory = try TempDirectory()
        let text = "version: 1\nstack: t\n" + sections.replacingOccurrences(of: "VALUE", with: escape)
        let file = try directory.write(text, to: "stack.yaml")
        let (_, diagnostics) = await ManifestLoader(catalog: StandardProviders.catalog, environment: [:])
            .load([file.path])
        return diagnostics.filter { $0.severity == .error }
    }
}
