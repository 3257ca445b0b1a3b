import OCContainerModel
import OCCore
import Testing

/// The string form of `command` and `entrypoint` splits as compose (Python's `shlex.split`) does; every expected
/// value below is what `shlex.split` returns for the line.
@Suite struct ShellWordsTests {
    @Test(arguments: [
        ("echo hello", ["echo", "hello"]),
        (#"sh -c "echo \"hi\" && sleep 1""#, ["sh", "-c", #"echo "hi" && sleep 1"#]),
        (#"a\ b c"#, ["a b", "c"]),
        (#"x 'it'"s" y"#, ["x", "its", "y"]),
        (#""a\\b\n""#, [#"a\b\n"#]),
        ("  lead  trail  ", ["lead", "trail"]),
        (#"a "" b"#, ["a", "", "b"]),
        (#"printf %s\\n "$HOME""#, ["printf", #"%s\n"#, "$HOME"]),
        ("", []),
    ])
    func splitsAsShlexDoes(line: String, words: [String]) throws {
        #expect(try ShellWords.split(line) == words)
    }

    @Test func unclosedQuotesAndATrailingBackslashAreRefused() {
        #expect(throws: ShellWords.Failure.unclosedQuote("'")) { try ShellWords.split("echo 'oops") }
        #expect(throws: ShellWords.Failure.unclosedQuote("\"")) { try ShellWords.split("echo \"oops") }
        #expect(throws: ShellWords.Failure.trailingBackslash) { try ShellWords.split("echo oops\\") }
    }

    @Test func theStringFormDecodesToTheSameArgvAsTheList() throws {
        let string = try SpecDecoding.decode(
            ContainerSpec.self, yaml: "image: x\nentrypoint: sh -c\ncommand: \"echo 'a b' && sleep 1\"")
        let list = try SpecDecoding.decode(
            ContainerSpec.self, yaml: "image: x\nentrypoint: [sh, -c]\ncommand: [echo, a b, \"&&\", sleep, \"1\"]")
        #expect(string == list)
        #expect(throws: (any Error).self) {
            try SpecDecoding.decode(ContainerSpec.self, yaml: "image: x\ncommand: \"echo 'oops\"")
        }
    }
}
