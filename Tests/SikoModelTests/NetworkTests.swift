import SikoTestSupport
import SikoModel
import Testing

@Suite("Outbound policy and targets")
struct NetworkTests {
    @Test("refused ranges", arguments: [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1",
    ])
    func refused(_ address: String) throws {
        let ip = try #require(IPAddress(address))
        #expect(!OutboundPolicy().permits(ip))
    }

    @Test("IPv6 ranges that are not public or carry an IPv4 address inside are refused whole", arguments: [
        "fec0::1", "feff::1", "::10.0.0.1", "::8.8.8.8", "2002:a00:1::1", "2002:808:808::1", "2001::1", "2001:0:ffff::1",
        "64:ff9b:1::a00:1", "64:ff9b:1:ffff::1", "64:ff9b::808:808",
    ])
    func refusedIPv6(_ address: String) throws {
        #expect(!OutboundPolicy().permits(try #require(IPAddress(address))))
    }

    @Test("next to those ranges, public IPv6 stays allowed", arguments: ["2001:4860:4860::8888", "2001:1::1", "2003::1", "64:ff9b:2::1", "fe00::1"])
    func publicIPv6(_ address: String) throws {
        #expect(OutboundPolicy().permits(try #require(IPAddress(address))))
    }

    @Test("public addresses are allowed", arguments: ["8.8.8.8", "172.32.0.1", "193.99.144.80", "2a00:1450:4001:80b::200e"])
    func allowed(_ address: String) throws {
        #expect(OutboundPolicy().permits(try #require(IPAddress(address))))
    }

    @Test("allowPrivateTargets opens exactly its networks")
    func allowList() throws {
        let policy = OutboundPolicy(allowed: [try #require(CIDR("127.0.0.0/8")), try #require(CIDR("10.20.0.0/16"))])
        #expect(policy.permits(try #require(IPAddress("127.0.0.1"))))
        #expect(policy.permits(try #require(IPAddress("10.20.5.5"))))
        #expect(!policy.permits(try #require(IPAddress("10.21.0.1"))))
        #expect(!policy.permits(try #require(IPAddress("192.168.0.1"))))
    }

    @Test("malformed addresses and ranges", arguments: [
        "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.04", "1.2.3.4.", ".1.2.3", "1..2.3", "1.2.3.4.5", "1.2.3.1000", "1.2.3.-4", "1.2.3.４",
        "1.2.3.4/33", "::1::2", "abc", "1:2:3:4:5:6:7:8:9",
    ])
    func malformed(_ text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test func webhookTargets() throws {
        let rules = TargetRules(outbound: OutboundPolicy(allowed: [try #require(CIDR("127.0.0.0/8"))]))
        #expect(rules.problem(with: "https://lage.pp-essen.example/hooks/siko", channel: .webhook) == nil)
        #expect(rules.problem(with: "http://127.0.0.1:9000/hook", channel: .webhook) == nil)
        #expect(rules.problem(with: "http://lage.pp-essen.example/hook", channel: .webhook) != nil, "plain http to the internet")
        #expect(rules.problem(with: "https://10.0.0.5/hook", channel: .webhook) != nil, "private and not allowed")
        #expect(rules.problem(with: "https://user:pw@example.org/", channel: .webhook) != nil)
        #expect(rules.problem(with: "ftp://example.org/", channel: .webhook) != nil)
        #expect(rules.problem(with: "not a url", channel: .webhook) != nil)
        let strict = TargetRules(outbound: OutboundPolicy())
        #expect(strict.problem(with: "http://127.0.0.1:9000/hook", channel: .webhook) != nil)
        #expect(strict.problem(with: "https://localhost/hook", channel: .webhook) != nil)
    }

    @Test func smsAndEmailTargets() {
        let rules = TargetRules(outbound: OutboundPolicy())
        #expect(rules.problem(with: "+4920112345678", channel: .sms) == nil)
        #expect(rules.problem(with: "020112345678", channel: .sms) != nil)
        #expect(rules.problem(with: "+49 201 123", channel: .sms) != nil)
        #expect(rules.problem(with: "lagedienst@polizei.nrw.de", channel: .email) == nil)
        #expect(rules.problem(with: "lagedienst", channel: .email) != nil)
        #expect(rules.problem(with: "a@b@c.de", channel: .email) != nil)
    }
}
