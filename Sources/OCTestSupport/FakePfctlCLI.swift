import Foundation
import OCCore
import Synchronization

/// A fake of macOS's `pfctl` and of the Mac's files the pf provider touches, for tests on machines where pf
/// cannot run.
///
/// It is a stateful test double, not the tool: pf's state (enabled or not, enable tokens, the main ruleset,
/// anchors) and a dictionary of files live in memory behind a `Mutex`, and each command changes them and prints
/// what the real tools print (reference §8):
///
/// - `pfctl -s info` (the `Status: Enabled …`/`Status: Disabled …` line first), `pfctl [-a ANCHOR] -sn|-s nat`,
///   `-sr|-s rules` (anchor rules with the trailing `all`), `pfctl -a ANCHOR -nvf -` (parse only: echoes macros
///   and the normalised rules, exit 1 with `stdin:N: syntax error`), `pfctl -nf FILE` (checks a main ruleset
///   and the files of its `load anchor` lines), `pfctl -f FILE` (loads the main ruleset: its anchor references
///   and `load anchor` lines), `pfctl -a ANCHOR -f -|FILE` (replaces the anchor's rules), `pfctl -a ANCHOR -F
///   all`, `pfctl -E` (`pf enabled` and `Token : N` on standard error, exit 0 also when pf is on), `pfctl -e`
///   (exit 1 `pfctl: pf already enabled` when on), `pfctl -X N` and `pfctl -d` with xnu's reference counting
///   (`-d` invalidates every token).
/// - Every pfctl call writes `No ALTQ support in kernel` and `ALTQ related functions disabled` to standard error.
/// - Rules are normalised as pfctl lists them: `inet` after `on IF` when a rule names IPv4 addresses and no
///   family, ` round-robin` after a NAT pool written as `(IF)`, `all` after a bare anchor rule and for a `pass` or
///   `block` without `from`/`to`, and `flags S/SA keep state` on a `pass` without a state option. A rule with an
///   unknown first word, a `nat`/`rdr`/`binat` without `-> TARGET`, or an undefined `$macro` is a syntax error.
/// - Files: `cat`, `tee` (content on standard input), `mv -f`, `cp -p`, `rm -f`, `mkdir -p`, `chmod`; and
///   `route -n get default` for the `default-route` fact.
///
/// It starts as a stock Mac: `/etc/pf.conf` (``stockPfConf``) and `/etc/pf.anchors/com.apple` loaded as at boot,
/// pf disabled unless asked otherwise. Any other argv throws ``UnknownCommand`` naming it, so a test fails on a
/// command the provider should not run. Tests change the world "by hand" with ``byHand(_:stdin:)`` and
/// ``write(_:to:)`` and inspect it with the accessors below.
package final class FakePfctlCLI: CommandRunner {
    /// The stock macOS `/etc/pf.conf` (reference §8.1, with Apple's comment header).
    package static let stockPfConf = """
        #
        # Default PF configuration file.
        #
        # This file contains the main ruleset, which gets automatically loaded
        # at startup.  PF will not be automatically enabled, however.  Instead,
        # each component which utilizes PF is responsible for enabling and disabling
        # PF via -E and -X as documented in pfctl(8).  That will ensure that PF
        # is disabled only when the last enable reference is released.
        #
        # Care must be taken to ensure that the main ruleset does not get flushed,
        # as the nested anchors rely on the anchor point defined here. In addition,
        # to the anchors loaded by this file, some system services would dynamically
        # insert anchors into the main ruleset. These anchors will be added only when
        # the system service is used and would removed on termination of the service.
        #
        # See pf.conf(5) for syntax.
        #

        #
        # com.apple anchor point
        #
        scrub-anchor "com.apple/*"
        nat-anchor "com.apple/*"
        rdr-anchor "com.apple/*"
        dummynet-anchor "com.apple/*"
        anchor "com.apple/*"
        load anchor "com.apple" from "/etc/pf.anchors/com.apple"

        """

    /// The stock `/etc/pf.anchors/com.apple`.
    package static let stockAppleAnchor = """
        #
        # Default PF anchor for com.apple
        #
        anchor "200.AirDrop/*"
        anchor "250.ApplicationFirewall/*"

        """

    /// What pfctl writes to standard error on every call.
    package static let altqNoise = "No ALTQ support in kernel\nALTQ related functions disabled\n"

    /// The warning `pfctl -f` prints when it loads the main ruleset (basecamp/pow #452).
    package static let reloadWarning =
        "pfctl: Use of -f option, could result in flushing of rules\n"
        + "present in the main ruleset added by the system at startup.\n"
        + "See /etc/pf.conf for further details.\n"

    /// The error for a command the fake does not implement.
    package struct UnknownCommand: Error, CustomStringConvertible {
        /// The argv that was run.
        package var argv: [String]
        /// What was not understood.
        package var reason: String

        package var description: String {
            "FakePfctlCLI cannot run \(argv.map { "\"\($0)\"" }.joined(separator: ", ")): \(reason)"
        }
    }

    /// The rules of one ruleset, normalised, in the order they were loaded.
    struct Ruleset: Sendable, Hashable {
        var rules: [String] = []

        /// `-sn`: nat, then rdr, then binat rules (anchors included).
        var translation: [String] { Self.ordered(rules.filter { Self.kind(of: $0) < 3 }) }
        /// `-sr`: scrub, then filter rules (dummynet rules are listed by neither).
        var filter: [String] { Self.ordered(rules.filter { (3...4).contains(Self.kind(of: $0)) }) }
        /// What `-nv` prints: scrub, nat, rdr, binat, filter (the order pfctl loads the rulesets in).
        var loadOrder: [String] {
            rules.filter { Self.kind(of: $0) == 3 } + translation + rules.filter { Self.kind(of: $0) == 4 }
        }

        static func ordered(_ rules: [String]) -> [String] {
            rules.enumerated().sorted {
                let (l, r) = (kind(of: $0.element), kind(of: $1.element))
                return l == r ? $0.offset < $1.offset : l < r
            }.map(\.element)
        }

        /// 0 nat, 1 rdr, 2 binat, 3 scrub, 4 filter, 5 dummynet.
        static func kind(of rule: String) -> Int {
            let words = rule.split(separator: " ")
            let keyword = words.first == "no" && words.count > 1 ? words[1] : words.first ?? ""
            switch keyword {
            case "nat", "nat-anchor": return 0
            case "rdr", "rdr-anchor": return 1
            case "binat", "binat-anchor": return 2
            case "scrub", "scrub-anchor": return 3
            case "dummynet", "dummynet-anchor": return 5
            default: return 4
            }
        }
    }

    private struct World {
        var enabled: Bool
        /// Enable references taken without a token (`-e`, or pf on at start).
        var plainReferences: Int
        var tokens: [UInt64] = []
        var nextToken: UInt64 = 16_876_543_210_001
        var main = Ruleset()
        var anchors: [String: Ruleset] = [:]
        var files: [String: String]
        var modes: [String: String] = [:]
        var defaultRoute: String
        var calls: [Command] = []
    }

    private let world: Mutex<World>

    /// Creates a stock Mac: ``stockPfConf`` and ``stockAppleAnchor`` on disk, loaded as at boot.
    ///
    /// - Parameters:
    ///   - enabled: whether pf is on (then with one enable reference that holds no token, as the system's).
    ///   - defaultRoute: the interface `route -n get default` reports.
    ///   - files: more files, or replacements of the stock ones, by path.
    package init(enabled: Bool = false, defaultRoute: String = "en0", files: [String: String] = [:]) {
        var all = ["/etc/pf.conf": Self.stockPfConf, "/etc/pf.anchors/com.apple": Self.stockAppleAnchor]
        all.merge(files) { $1 }
        var world = World(
            enabled: enabled, plainReferences: enabled ? 1 : 0, files: all, defaultRoute: defaultRoute)
        _ = Self.loadMain(from: "/etc/pf.conf", check: false, world: &world)
        self.world = Mutex(world)
    }

    // MARK: - CommandRunner

    /// Answers `command` from the in-memory world and records it.
    ///
    /// - Throws: ``UnknownCommand`` for a command or option the fake does not implement.
    package func run(_ command: Command) async throws -> CommandResult {
        try world.withLock { world in
            world.calls.append(command)
            return try Self.respond(command.argv, stdin: command.stdin, world: &world)
        }
    }

    /// Runs `argv` as a user typing it would (`["pfctl", "-d"]`); not recorded.
    ///
    /// - Parameters:
    ///   - argv: the command.
    ///   - stdin: its standard input.
    /// - Returns: what the command printed.
    /// - Throws: ``UnknownCommand`` for a command the fake does not implement.
    @discardableResult
    package func byHand(_ argv: [String], stdin: String? = nil) throws -> CommandResult {
        try world.withLock { world in
            try Self.respond(argv, stdin: stdin.map { Data($0.utf8) }, world: &world)
        }
    }

    /// Writes a file by hand (an editor, a macOS update rewriting `/etc/pf.conf`); `nil` removes it.
    package func write(_ text: String?, to path: String) { world.withLock { $0.files[path] = text } }

    /// Changes the interface of the default route.
    package func setDefaultRoute(_ interface: String) { world.withLock { $0.defaultRoute = interface } }

    // MARK: - Inspection

    /// The file at `path`, or `nil` when there is none.
    package func file(_ path: String) -> String? { world.withLock { $0.files[path] } }
    /// Every file, by path.
    package var files: [String: String] { world.withLock { $0.files } }
    /// The mode a file was given with `chmod` (carried by `mv` and `cp -p`).
    package func mode(of path: String) -> String? { world.withLock { $0.modes[path] } }
    /// Whether pf is enabled.
    package var enabled: Bool { world.withLock { $0.enabled } }
    /// The enable tokens held, in the order they were handed out.
    package var tokens: [String] { world.withLock { $0.tokens.map(String.init) } }
    /// The rules of `anchor` as `pfctl -a ANCHOR -sn` and `-sr` list them, in that order.
    package func rules(inAnchor anchor: String) -> [String] {
        world.withLock { world in
            let set = world.anchors[anchor] ?? Ruleset()
            return set.translation + set.filter
        }
    }
    /// The main ruleset as `pfctl -sn` and `pfctl -sr` list it, in that order.
    package var mainRuleset: [String] { world.withLock { $0.main.translation + $0.main.filter } }
    /// Every command run through ``run(_:)``, in order.
    package var calls: [Command] { world.withLock { $0.calls } }
    /// The argv of every command run through ``run(_:)``.
    package var callArgvs: [[String]] { calls.map(\.argv) }
    /// The commands marked as changing the world.
    package var mutatingCalls: [Command] { calls.filter(\.mutating) }
    /// Forgets the recorded calls.
    package func resetCalls() { world.withLock { $0.calls = [] } }

    // MARK: - Dispatch

    private static func respond(_ argv: [String], stdin: Data?, world: inout World) throws -> CommandResult {
        let input = String(decoding: stdin ?? Data(), as: UTF8.self)
        switch argv.first {
        case "pfctl": return try pfctl(argv, stdin: input, world: &world)
        case "cp":
            guard argv.count == 5, argv[1] == "-p", argv[2] == "--" else {
                throw UnknownCommand(argv: argv, reason: "only cp -p -- SOURCE TARGET")
            }
            let (source, target) = (argv[3], argv[4])
            guard let text = world.files[source] else { return failure("cp: \(source): No such file or directory\n") }
            world.files[target] = text
            world.modes[target] = world.modes[source]
            return CommandResult(exitStatus: 0)
        case "cat", "tee", "mkdir", "mktemp", "chmod", "chown", "mv", "rm":
            guard let result = FakeFileCommands.respond(argv, stdin: stdin, files: &world.files, modes: &world.modes)
            else { throw UnknownCommand(argv: argv, reason: "not a form HostFile builds") }
            return result
        case "route":
            guard argv == ["route", "-n", "get", "default"] else {
                throw UnknownCommand(argv: argv, reason: "only route -n get default")
            }
            return CommandResult(
                exitStatus: 0,
                stdout: "   route to: default\ndestination: default\n       mask: default\n    gateway: 192.168.1.1\n"
                    + "  interface: \(world.defaultRoute)\n      flags: <UP,GATEWAY,DONE,STATIC,PRSCOPED>\n")
        default:
            throw UnknownCommand(argv: argv, reason: "not a command the fake knows")
        }
    }

    // MARK: - pfctl

    private struct Options {
        var anchor: String?
        var show: String?
        var file: String?
        var flush: String?
        var release: String?
        var flags: Set<Character> = []
    }

    private static func options(_ argv: [String]) throws -> Options {
        var options = Options()
        let valued: Set<Character> = ["a", "s", "f", "F", "X"]
        var index = 1
        while index < argv.count {
            let word = argv[index]
            guard word.hasPrefix("-"), word.count > 1 else {
                throw UnknownCommand(argv: argv, reason: "unexpected argument \(word)")
            }
            var letters = Substring(word.dropFirst())
            while let letter = letters.first {
                letters = letters.dropFirst()
                guard valued.contains(letter) else {
                    guard ["n", "v", "E", "e", "d"].contains(letter) else {
                        throw UnknownCommand(argv: argv, reason: "option -\(letter) is not faked")
                    }
                    options.flags.insert(letter)
                    continue
                }
                var value = String(letters)
                letters = ""
                if value.isEmpty {
                    index += 1
                    guard index < argv.count else {
                        throw UnknownCommand(argv: argv, reason: "-\(letter) needs a value")
                    }
                    value = argv[index]
                }
                switch letter {
                case "a": options.anchor = value
                case "s": options.show = value
                case "f": options.file = value
                case "F": options.flush = value
                default: options.release = value
                }
            }
            index += 1
        }
        return options
    }

    private static func pfctl(_ argv: [String], stdin: String, world: inout World) throws -> CommandResult {
        let options = try options(argv)
        let check = options.flags.contains("n")
        let verbose = options.flags.contains("v")
        let modes = [
            options.show != nil, options.file != nil, options.flush != nil, options.release != nil,
            options.flags.contains("E"), options.flags.contains("e"), options.flags.contains("d"),
        ].filter { $0 }.count
        guard modes == 1 else { throw UnknownCommand(argv: argv, reason: "one action at a time is faked") }

        if let show = options.show {
            guard !check, !verbose else { throw UnknownCommand(argv: argv, reason: "-s with -n/-v is not faked") }
            let set = options.anchor.map { world.anchors[$0] ?? Ruleset() } ?? world.main
            switch show {
            case "info":
                guard options.anchor == nil else { throw UnknownCommand(argv: argv, reason: "-s info takes no -a") }
                return pfOK(info(enabled: world.enabled))
            case "n", "nat": return pfOK(lines(set.translation))
            case "r", "rules": return pfOK(lines(set.filter))
            default: throw UnknownCommand(argv: argv, reason: "-s \(show) is not faked")
            }
        }
        if let file = options.file {
            if let anchor = options.anchor {
                let (source, text): (String, String?) = file == "-" ? ("stdin", stdin) : (file, world.files[file])
                guard let text else { return pfFailure("pfctl: \(file): No such file or directory\n") }
                switch parse(text, source: source, allowLoad: false) {
                case .failure(let errors):
                    return pfFailure(
                        errors + (check ? "" : "pfctl: Syntax error in config file: pf rules not loaded\n"))
                case .success(let parsed):
                    if check { return pfOK(verbose ? lines(parsed.verbose) : "") }
                    world.anchors[anchor] = parsed.ruleset
                    return pfOK("")
                }
            }
            guard !verbose else { throw UnknownCommand(argv: argv, reason: "-v on the main ruleset is not faked") }
            return loadMain(from: file, check: check, world: &world)
        }
        if let flush = options.flush {
            guard flush == "all", let anchor = options.anchor, !check else {
                throw UnknownCommand(argv: argv, reason: "only -a ANCHOR -F all is faked")
            }
            world.anchors[anchor] = nil
            return pfOK("", stderr: "rules cleared\nnat cleared\n")
        }
        guard options.anchor == nil, !check, !verbose else {
            throw UnknownCommand(argv: argv, reason: "-a, -n and -v with -E/-e/-d/-X are not faked")
        }
        if options.flags.contains("E") {
            let token = world.nextToken
            world.nextToken += 1
            world.tokens.append(token)
            world.enabled = true
            return pfOK("", stderr: "pf enabled\nToken : \(token)\n")
        }
        if options.flags.contains("e") {
            guard !world.enabled else { return pfFailure("pfctl: pf already enabled\n") }
            world.enabled = true
            world.plainReferences += 1
            return pfOK("", stderr: "pf enabled\n")
        }
        if options.flags.contains("d") {
            guard world.enabled else { return pfFailure("pfctl: pf not enabled\n") }
            world.enabled = false
            world.tokens = []
            world.plainReferences = 0
            return pfOK("", stderr: "pf disabled\n")
        }
        guard let release = options.release else { throw UnknownCommand(argv: argv, reason: "no action") }
        guard world.enabled else { return pfFailure("pfctl: pf not enabled\n") }
        guard let token = UInt64(release), let index = world.tokens.firstIndex(of: token) else {
            return pfFailure("pfctl: DIOCSTOPREF: Invalid argument\n")
        }
        world.tokens.remove(at: index)
        guard world.tokens.isEmpty && world.plainReferences == 0 else { return pfOK("") }
        world.enabled = false
        return pfOK("", stderr: "pf disabled\n")
    }

    /// `pfctl [-n] -f FILE` on the main ruleset: parses the file and every `load anchor` file; loads them unless
    /// `check`.
    private static func loadMain(from file: String, check: Bool, world: inout World) -> CommandResult {
        guard let text = world.files[file] else { return pfFailure("pfctl: \(file): No such file or directory\n") }
        let parsed: Parsed
        switch parse(text, source: file, allowLoad: true) {
        case .failure(let errors):
            return pfFailure(errors + (check ? "" : "pfctl: Syntax error in config file: pf rules not loaded\n"))
        case .success(let result): parsed = result
        }
        var loaded: [String: Ruleset] = [:]
        for (anchor, path) in parsed.loads {
            guard let anchorText = world.files[path] else {
                return pfFailure("pfctl: \(path): No such file or directory\npfctl: load anchors\n")
            }
            switch parse(anchorText, source: path, allowLoad: false) {
            case .failure(let errors): return pfFailure(errors + "pfctl: load anchors\n")
            case .success(let anchorRules): loaded[anchor] = anchorRules.ruleset
            }
        }
        if check { return pfOK("") }
        world.main = parsed.ruleset
        world.anchors.merge(loaded) { $1 }
        return pfOK("", stderr: reloadWarning)
    }

    // MARK: - Parsing and normalising rules

    private struct Parsed {
        /// What `-nv` prints: macro definitions as met, then the rules in load order.
        var verbose: [String]
        var ruleset: Ruleset
        var loads: [(anchor: String, file: String)]
    }

    private enum ParseResult {
        case success(Parsed)
        case failure(String)
    }

    private static func parse(_ text: String, source: String, allowLoad: Bool) -> ParseResult {
        var macros: [String: String] = [:]
        var echoed: [String] = []
        var ruleset = Ruleset()
        var loads: [(anchor: String, file: String)] = []
        var errors = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            var words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { continue }
            let at = "\(source):\(index + 1):"
            if words.count >= 3, words[1] == "=" {
                let value = words[2...].joined(separator: " ").trimmingCharacters(in: ["\""])
                macros[words[0]] = value
                echoed.append("\(words[0]) = \"\(value)\"")
                continue
            }
            var undefined = false
            words = words.map { word in
                guard let dollar = word.firstIndex(of: "$") else { return word }
                let name = String(word[word.index(after: dollar)...].prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard let value = macros[name] else {
                    undefined = true
                    errors += "\(at) macro '\(name)' not defined\n"
                    return word
                }
                return word.replacingOccurrences(of: "$" + name, with: value)
            }
            if undefined {
                errors += "\(at) syntax error\n"
                continue
            }
            if allowLoad, words.first == "load" {
                guard words.count == 5, words[1] == "anchor", words[3] == "from" else {
                    errors += "\(at) syntax error\n"
                    continue
                }
                loads.append((words[2].trimmingCharacters(in: ["\""]), words[4].trimmingCharacters(in: ["\""])))
                continue
            }
            if words.first == "table" || words.first == "set" {
                echoed.append(words.joined(separator: " "))
                continue
            }
            guard let rule = normalise(words) else {
                errors += "\(at) syntax error\n"
                continue
            }
            ruleset.rules.append(rule)
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success(Parsed(verbose: echoed + ruleset.loadOrder, ruleset: ruleset, loads: loads))
    }

    /// A rule as pfctl lists it, or `nil` for a syntax error.
    static func normalise(_ words: [String]) -> String? {
        var words = words
        let negated = words.first == "no"
        let keyword = negated ? (words.count > 1 ? words[1] : "") : words.first ?? ""
        switch keyword {
        case "anchor", "nat-anchor", "rdr-anchor", "binat-anchor", "scrub-anchor", "dummynet-anchor":
            guard words.count >= 2, words[1].hasPrefix("\"") else { return nil }
            if words.count == 2 { words.append("all") }
        case "nat", "rdr", "binat":
            if !negated {
                guard let arrow = words.firstIndex(of: "->"), arrow + 1 < words.count else { return nil }
            }
            addFamily(&words, leading: negated ? 2 : 1)
            if keyword == "nat", let arrow = words.firstIndex(of: "->"), arrow == words.count - 2,
                words[arrow + 1].hasPrefix("("), words[arrow + 1].hasSuffix(")")
            {
                words.append("round-robin")
            }
        case "pass", "block":
            var leading = 1
            while leading < words.count, ["in", "out", "log", "quick"].contains(words[leading]) { leading += 1 }
            addFamily(&words, leading: leading)
            if !words.contains("from") && !words.contains("to") && !words.contains("all") {
                words.append("all")
            }
            let stateful = ["keep", "modulate", "synproxy", "no", "flags"].contains { words.dropFirst().contains($0) }
            if keyword == "pass", !stateful { words += ["flags", "S/SA", "keep", "state"] }
        case "scrub", "antispoof", "dummynet":
            break
        default:
            return nil
        }
        return words.joined(separator: " ")
    }

    /// Inserts `inet` after `on IF` (or after the first `leading` words) when the rule names an IPv4 address and
    /// no address family.
    private static func addFamily(_ words: inout [String], leading: Int) {
        guard !words.contains("inet"), !words.contains("inet6"), words.contains(where: isIPv4) else { return }
        if let on = words.firstIndex(of: "on"), on + 1 < words.count {
            words.insert("inet", at: on + 2)
        } else {
            words.insert("inet", at: min(leading, words.count))
        }
    }

    private static func isIPv4(_ word: String) -> Bool {
        let address = word.split(separator: "/").first ?? ""
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    // MARK: - Output

    private static func info(enabled: Bool) -> String {
        let status = enabled ? "Enabled for 0 days 00:12:07" : "Disabled"
        return "Status: \(status)" + String(repeating: " ", count: enabled ? 11 : 27) + "Debug: Urgent\n\n"
            + "State Table                          Total             Rate\n"
            + "  current entries                        0               \n"
            + "  searches                            1024            2.1/s\n"
            + "Counters\n"
            + "  match                                 12            0.0/s\n"
    }

    private static func lines(_ rules: [String]) -> String { rules.map { $0 + "\n" }.joined() }

    private static func pfOK(_ stdout: String, stderr: String = "") -> CommandResult {
        CommandResult(exitStatus: 0, stdout: stdout, stderr: altqNoise + stderr)
    }

    private static func pfFailure(_ stderr: String) -> CommandResult {
        CommandResult(exitStatus: 1, stdout: "", stderr: altqNoise + stderr)
    }

    private static func failure(_ stderr: String) -> CommandResult {
        CommandResult(exitStatus: 1, stdout: "", stderr: stderr)
    }
}
