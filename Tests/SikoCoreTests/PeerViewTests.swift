import Foundation
import SikoModel
import Testing
@testable import SikoCore

@Suite("What a gateway makes of the others on its store (pure)")
struct PeerViewTests {
    func gateway(_ id: String, rules: String = "r1", channels: String = "c1") -> GatewayPresence {
        GatewayPresence(id: id, host: "host-\(id)", startedAt: Date(timeIntervalSince1970: 0), rules: rules, channels: channels)
    }

    @Test("alone: one gateway, nobody differs, even before the store has seen this one")
    func alone() {
        #expect(PeerView(me: gateway("a"), seen: []).live == 1)
        #expect(PeerView(me: gateway("a"), seen: [gateway("a")]) == PeerView(me: gateway("a"), seen: []))
    }

    @Test("three alive; the one with other rules and the one with other channels are named, the same one is not")
    func differing() {
        let view = PeerView(me: gateway("a"), seen: [gateway("a"), gateway("b", rules: "r2"), gateway("c", channels: "c2"), gateway("d")])
        #expect(view.live == 4)
        #expect(view.differing.map(\.id) == ["b", "c"])
    }
}
