import ArgumentParser

/// Entry points for the thin executables.
public enum Entry {
    /// Runs `ocplan` with the process arguments.
    public static func ocplan() async { await OCPlanCommand.main() }
    /// Runs `ocapply` with the process arguments.
    public static func ocapply() async { await ApplyCommand.main() }
}
