import Foundation
import SikoModel
import Testing
@testable import SikoServer

@Suite("the answer to a publish")
struct PublishAnswerTests {
    @Test("written by hand, it is byte for byte what the encoder wrote", arguments: [
        PublishView(id: "evt_01m8sfzavffevzv3mhd774q2kn", deliveries: 3, duplicate: false),
        PublishView(id: "evt_\"quoted\"\\", deliveries: 0, duplicate: true),
    ])
    func sameAsTheEncoder(_ view: PublishView) throws {
        #expect(view.json == Array(try JSONCoding.encoder().encode(view)))
    }
}
