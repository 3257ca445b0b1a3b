/// Linux signal names and numbers as `stopSignal` accepts them: `SIGINT`, `INT`, `int` or `2`.
package enum StopSignal {
    /// The seconds Podman waits after the stop signal before it kills the container, unless `stopTimeout` is set.
    package static let defaultTimeout = 10

    /// The default stop signal (`SIGTERM`).
    package static let defaultNumber = 15

    /// The standard signals by name (without `SIG`), numbered as on x86-64 and arm64 Linux.
    package static let numbers: [String: Int] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17,
        "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25,
        "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
    ]

    /// The known names with their `SIG` prefix, for hints.
    package static var knownNames: [String] { numbers.keys.sorted().map { "SIG" + $0 } }

    /// The number of `text` (a name with or without `SIG`, any case, or a number from 1 to 64), or `nil`.
    package static func number(_ text: String) -> Int? {
        if let number = Int(text) { return (1...64).contains(number) ? number : nil }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
        return numbers[name]
    }
}
