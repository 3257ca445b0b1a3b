import OCAppleContainer
import OCCore
import OCFiles
import OCIPTables
import OCPacketFilter
import OCPodman
import OCSysctl

/// The composition root's list of spec types and providers: the only place that names them.
package enum StandardProviders {
    /// Every manifest section's spec type (sections without a provider still validate).
    package static var catalog: SpecCatalog {
        SpecCatalog(
            [
                FileSpec.self,
                SysctlSpec.self,
            ] + FamilySpecs.all)
    }

    /// The providers that can plan and apply.
    package static var registry: ProviderRegistry {
        ProviderRegistry([
            FilesProvider(), SysctlProvider(), PodmanProvider(), AppleContainerProvider(), IPTablesProvider(),
            PFProvider(),
        ])
    }
}
