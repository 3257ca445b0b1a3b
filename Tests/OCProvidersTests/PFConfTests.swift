import Foundation
import OCPacketFilter
import OCTestSupport
import Testing

@Suite struct PFConfTests {
    static let lines = PFAnchor(stack: "lab").confLines
    static let stock = FakePfctlCLI.stockPfConf
    /// The comment header of the stock file, which every edit keeps.
    static let header = String(stock[..<(stock.range(of: "scrub-anchor")?.lowerBound ?? stock.endIndex)])

    @Test func theLinesNameTheAnchorAndItsFile() {
        #expect(Self.lines.translation == "nat-anchor \"ocplan/lab\"")
        #expect(Self.lines.filter == "anchor \"ocplan/lab\"")
        #expect(Self.lines.load == "load anchor \"ocplan/lab\" from \"/etc/pf.anchors/ocplan.lab\"")
    }

    @Test func addsTheAnchorLinesToTheirSectionsOfTheStockFile() {
        let edited = PFConf(Self.stock).adding(Self.lines, load: false)
        #expect(
            edited == Self.header + """
                scrub-anchor "com.apple/*"
                nat-anchor "com.apple/*"
                rdr-anchor "com.apple/*"
                nat-anchor "ocplan/lab"
                dummynet-anchor "com.apple/*"
                anchor "com.apple/*"
                anchor "ocplan/lab"
                load anchor "com.apple" from "/etc/pf.anchors/com.apple"

                """)
        #expect(PFConf(edited).references(Self.lines, load: false))
        #expect(!PFConf(edited).references(Self.lines, load: true))
    }

    @Test func persistingAddsTheLoadLineAfterTheLastLoadAnchor() {
        let edited = PFConf(Self.stock).adding(Self.lines, load: true)
        #expect(
            edited.hasSuffix(
                "load anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\n"
                    + "load anchor \"ocplan/lab\" from \"/etc/pf.anchors/ocplan.lab\"\n"))
        #expect(PFConf(edited).references(Self.lines, load: true))
    }

    @Test(arguments: [false, true])
    func addingTwiceChangesNothing(load: Bool) {
        let once = PFConf(Self.stock).adding(Self.lines, load: load)
        #expect(once != Self.stock)
        #expect(PFConf(once).adding(Self.lines, load: load) == once)
    }

    @Test(arguments: [false, true])
    func removingRestoresTheOriginalTextExactly(load: Bool) {
        let edited = PFConf(Self.stock).adding(Self.lines, load: load)
        #expect(PFConf(edited).removing(Self.lines) == Self.stock)
        #expect(PFConf(Self.stock).removing(Self.lines) == Self.stock)
    }

    @Test func turningPersistOffRemovesOnlyTheLoadLine() {
        let persisted = PFConf(Self.stock).adding(Self.lines, load: true)
        #expect(PFConf(persisted).adding(Self.lines, load: false) == PFConf(Self.stock).adding(Self.lines, load: false))
    }

    @Test func linesAlreadyThereAnywhereAreRecognisedAndKept() {
        let moved = "anchor \"ocplan/lab\"\n" + Self.stock + "  nat-anchor \"ocplan/lab\"\t\n"
        #expect(PFConf(moved).references(Self.lines, load: false))
        #expect(PFConf(moved).adding(Self.lines, load: false) == moved)
        #expect(PFConf(moved).removing(Self.lines) == Self.stock)
    }

    @Test func anotherStacksLinesAreLeftAlone() {
        let other = PFAnchor(stack: "lab2").confLines
        let both = PFConf(PFConf(Self.stock).adding(other, load: true)).adding(Self.lines, load: true)
        #expect(PFConf(both).references(other, load: true))
        #expect(PFConf(both).removing(Self.lines) == PFConf(Self.stock).adding(other, load: true))
        #expect(!PFConf(Self.stock).containsAny(of: Self.lines))
        #expect(PFConf(both).containsAny(of: other))
    }

    @Test func withoutTranslationRulesTheNatAnchorGoesBeforeTheFirstFilterRule() {
        let text = "set skip on lo0\nscrub in all\npass out all\nblock in all\n"
        #expect(
            PFConf(text).adding(Self.lines, load: false)
                == "set skip on lo0\nscrub in all\nnat-anchor \"ocplan/lab\"\npass out all\nblock in all\n"
                + "anchor \"ocplan/lab\"\n")
    }

    @Test func withoutAppleAnchorsTheAnchorGoesAfterTheLastAnchor() {
        let text = "nat on en0 from 10.0.0.0/8 to any -> (en0)\nanchor \"mine\"\npass out all\n"
        #expect(
            PFConf(text).adding(Self.lines, load: false)
                == "nat on en0 from 10.0.0.0/8 to any -> (en0)\nnat-anchor \"ocplan/lab\"\nanchor \"mine\"\n"
                + "anchor \"ocplan/lab\"\npass out all\n")
    }

    @Test func continuedAndBracedStatementsAreNotSplit() {
        let text = """
            nat on en0 from { 10.0.0.0/8, \\
                172.16.0.0/12 } to any -> (en0)
            anchor "inline" {
              nat on en1 from any to any -> (en1)
              pass out all
            }
            pass out all

            """
        let edited = PFConf(text).adding(Self.lines, load: false)
        let lines = edited.split(separator: "\n").map(String.init)
        #expect(lines[2] == "nat-anchor \"ocplan/lab\"", "after the continued nat rule, not inside it")
        #expect(lines[7] == "anchor \"ocplan/lab\"", "after the inline anchor's closing brace")
        #expect(PFConf(edited).removing(Self.lines) == text)
    }

    @Test func commentsAndQuotedHashesDoNotConfuseTheScan() {
        let text = "# nat on en9 from any to any -> (en9)\nanchor \"a#b\" # a comment\n"
        #expect(
            PFConf(text).adding(Self.lines, load: false)
                == "# nat on en9 from any to any -> (en9)\nnat-anchor \"ocplan/lab\"\nanchor \"a#b\" # a comment\n"
                + "anchor \"ocplan/lab\"\n")
    }

    @Test(arguments: [nil, ""] as [String?])
    func aMissingOrEmptyFileGetsTheLines(text: String?) {
        #expect(
            PFConf(text).adding(Self.lines, load: true)
                == "nat-anchor \"ocplan/lab\"\nanchor \"ocplan/lab\"\n"
                + "load anchor \"ocplan/lab\" from \"/etc/pf.anchors/ocplan.lab\"\n")
        #expect(PFConf(text).removing(Self.lines) == "")
    }

    @Test func aFileWithoutAFinalNewlineKeepsItsLastLineWhole() {
        let edited = PFConf("pass out all").adding(Self.lines, load: false)
        #expect(edited == "nat-anchor \"ocplan/lab\"\npass out all\nanchor \"ocplan/lab\"\n")
    }
}
