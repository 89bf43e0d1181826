import SikoCAP
import SikoModel

/// The body of a webhook whose subscription asked for `"format": "cap"`: the event as a CAP 1.2
/// alert (every language block in it), signed like the JSON body.
public struct CAPPayload: Sendable {
    public static let contentType = "application/cap+xml"
    let writer: CAPWriter
    let reference: ReferenceData

    public init(writer: CAPWriter, reference: ReferenceData) {
        self.writer = writer
        self.reference = reference
    }

    /// A teaser (VS-NfD where the target may not carry it in full) keeps no title, body or data.
    func body(_ event: Event, content: DeliveryContent) -> [UInt8] {
        var event = event
        if content == .teaser {
            event.title = WebhookPayload.teaserTitle
            event.body = nil
            event.data = nil
            event.translations = []
        }
        return Array(writer.alert(event, reference: reference).utf8)
    }
}
