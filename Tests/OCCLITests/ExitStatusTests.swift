import ArgumentParser
import OCCLI
import OCCore
import Testing

/// The one mapping from how a command ended to its exit status (``ExitStatus``, used by the ``OCCommand``
/// template of every command).
@Suite struct ExitStatusTests {
    /// Maps `error` and returns the result and every error the printer was handed.
    func map(_ error: any Error) -> (result: any Error, printed: [String]) {
        var printed: [String] = []
        let result = ExitStatus.error(for: error) { printed.append("\($0)") }
        return (result, printed)
    }

    @Test func outcomesMapToZeroOrTwo() {
        #expect(ExitStatus.code(for: .success) == nil)
        #expect(ExitStatus.code(for: .changesPresent) == ExitCode(2))
    }

    @Test func anOperationalErrorIsPrintedOnceAndExitsOne() {
        let (result, printed) = map(OCError(.stalePlan, "the plan is stale"))
        #expect(result as? ExitCode == .failure)
        #expect(printed == ["the plan is stale"])
    }

    @Test func aReportedFailureExitsOneWithoutPrintingAgain() {
        let (result, printed) = map(ReportedFailure())
        #expect(result as? ExitCode == .failure)
        #expect(printed.isEmpty)
    }

    @Test func aUsageErrorIsLeftToArgumentParserForUsageAnd64() {
        let (result, printed) = map(ValidationError("--target 'nope' is not a resource address"))
        #expect((result as? ValidationError)?.message == "--target 'nope' is not a resource address")
        #expect(printed.isEmpty)
        #expect(ApplyCommand.exitCode(for: result) == .validationFailure)
        #expect(ExitCode.validationFailure.rawValue == 64)
    }

    @Test func anExitCodeOrACleanExitPassesThrough() {
        #expect(map(ExitCode(3)).result as? ExitCode == ExitCode(3))
        #expect(map(CleanExit.message("done")).result is CleanExit)
        #expect(map(ExitCode(3)).printed.isEmpty)
    }
}
