import OCCore
import Testing

@Suite struct FormatsTests {
    @Test(arguments: [
        ("10.89.10.1", true, "10.89.10.1"), ("::", false, "::"), ("fd00:0:0:0:0:0:0:1", false, "fd00::1"),
        ("::ffff:1.2.3.4", false, "::ffff:102:304"),
    ])
    func parsesAddressesToCanonicalText(text: String, isIPv4: Bool, canonical: String) throws {
        let address = try #require(Formats.IPAddress(text))
        #expect(address.isIPv4 == isIPv4)
        #expect(address.description == canonical)
    }

    @Test(arguments: ["", "1.2.3", "01.2.3.4", "+1.2.3.4", "256.1.1.1", "1::2::3", ":1::2", "1::2:", "fe80::1%en0"])
    func rejectsMalformedAddresses(text: String) {
        #expect(Formats.IPAddress(text) == nil)
        #expect(!Formats.isIPAddress(text))
    }

    @Test func cidrBlocksCompareNetworks() throws {
        let block = try #require(Formats.CIDRBlock("10.89.10.5/24"))
        #expect(!block.isCanonical)
        #expect(block.description == "10.89.10.0/24")
        #expect(block.contains(try #require(Formats.IPAddress("10.89.10.200"))))
        #expect(block.overlaps(try #require(Formats.CIDRBlock("10.89.0.0/16"))))
        #expect(!block.overlaps(try #require(Formats.CIDRBlock("::/0"))))
        #expect(Formats.CIDRBlock("10.0.0.0/33") == nil)
        #expect(
            Formats.cidrProblem("10.89.10.5/24") == "'10.89.10.5/24' has host bits set; the network is 10.89.10.0/24")
    }

    @Test(arguments: [
        ("30s", Formats.DurationSyntax.manifest, 30.0), ("1h30m", .manifest, 5_400), ("1d", .manifest, 86_400),
        ("500ms", .go, 0.5), ("1.5h", .go, 5_400), ("0", .go, 0), ("2us", .go, 2e-6),
    ])
    func readsDurations(text: String, syntax: Formats.DurationSyntax, seconds: Double) {
        #expect(Formats.seconds(text, syntax: syntax) == seconds)
    }

    @Test(arguments: [
        ("0", Formats.DurationSyntax.manifest), ("", .go), ("1d", .go), ("5", .go), ("1x", .manifest), ("m", .manifest),
    ])
    func rejectsDurationsOutsideTheSyntax(text: String, syntax: Formats.DurationSyntax) {
        #expect(Formats.seconds(text, syntax: syntax) == nil)
    }

    @Test func sizesThatDoNotFitAreRejectedNotTrapped() {
        #expect(Formats.bytes("2G") == 2 << 30)
        #expect(Formats.bytes("1e999M") == nil)
        #expect(Formats.bytes("99999999999999999999G") == nil)
        #expect(Formats.binaryMultiple(1.5, exponent: 1) == 1_536)
        #expect(Formats.binaryMultiple(.infinity, exponent: 0) == nil)
    }

    @Test func leadingDecimalTakesOnlyAPlainNumber() {
        #expect(Formats.leadingDecimal("1.5GiB").map { "\($0.value) \($0.rest)" } == "1.5 GiB")
        for text in ["", ".5g", "5.g", "1.2.3g", "+1g", "G"] {
            #expect(Formats.leadingDecimal(Substring(text)) == nil, "\(text)")
        }
    }
}
