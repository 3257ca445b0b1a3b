import OCCLI
import Testing

/// Colour follows no-color.org: `NO_COLOR` disables it when present and not an empty string.
@Suite struct StyleTests {
    @Test(
        arguments: [
            ([:], true, false, true),
            (["NO_COLOR": ""], true, false, true),
            (["NO_COLOR": "1"], true, false, false),
            (["NO_COLOR": "0"], true, false, false),
            (["TERM": "dumb"], true, false, false),
            ([:], false, false, false),
            ([:], true, true, false),
        ] as [([String: String], Bool, Bool, Bool)])
    func colourOnlyOnATerminalWithoutANonEmptyNoColor(
        _ environment: [String: String], _ isTerminal: Bool, _ noColorFlag: Bool, _ colour: Bool
    ) {
        #expect(Style.detect(noColor: noColorFlag, environment: environment, isTerminal: isTerminal).colour == colour)
    }
}
