import OCChecks
import OCContainerModel
import OCCore
import OCHeadscale
import OCIPTables
import OCMultipass
import OCPacketFilter
import OCServices
import OCTailscale
import OCTrust

/// Spec types of the provider families whose providers arrive in later releases (validation only).
enum FamilySpecs {
    static var all: [any ResourceSpec.Type] {
        [
            NetworkSpec.self, ContainerSpec.self, VolumeSpec.self, ImageSpec.self, VMSpec.self, HeadscaleSpec.self,
            TailscaleNodeSpec.self, PFAnchorSpec.self, IPTablesChainSpec.self, ServiceSpec.self, TrustSpec.self,
            CheckSpec.self,
        ]
    }
}
