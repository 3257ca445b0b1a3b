import OCCore

/// Spec types of the provider families whose providers arrive in later releases (validation only).
enum FamilySpecs {
    static var all: [any ResourceSpec.Type] { [] }
}
