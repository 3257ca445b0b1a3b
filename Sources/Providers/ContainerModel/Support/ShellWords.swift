/// Splits a command line into words as compose splits the string form of `command` and `entrypoint`.
///
/// As Python's `shlex.split` (POSIX mode): words are separated by whitespace; single quotes keep everything
/// literally; double quotes keep everything but a backslash before `"` or `\`; outside quotes a backslash keeps
/// the next character. Nothing is expanded: no variables, globs or comments.
package enum ShellWords {
    /// Why a command line cannot be split.
    package enum Failure: Error, Equatable {
        /// A quote is not closed.
        case unclosedQuote(Character)
        /// The line ends with a backslash that escapes nothing.
        case trailingBackslash
    }

    /// The words of `line`.
    ///
    /// - Throws: ``Failure`` for an unclosed quote or a trailing backslash.
    package static func split(_ line: String) throws(Failure) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                // Inside double quotes only `"` and `\` are escaped; the backslash stays before anything else.
                if quote == "\"", character != "\"", character != "\\" { word.append("\\") }
                word.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case ("'", "'"), ("\"", "\""):
                quote = nil
            case ("\"", "\\"), (nil, "\\"):
                escaped = true
                inWord = true
            case (nil, "'"), (nil, "\""):
                quote = character
                inWord = true
            case (nil, _) where character.isWhitespace:
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(character)
                inWord = true
            }
        }
        if escaped { throw .trailingBackslash }
        if let quote { throw .unclosedQuote(quote) }
        if inWord { words.append(word) }
        return words
    }
}
