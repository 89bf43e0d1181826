import Hummingbird
import SikoCore
import SikoModel

/// How the delivery listings (`GET /v1/deliveries`, `GET /v1/events/{id}/deliveries`) page, in one
/// place so that they page alike: newest first, `limit` a page (1 to 1000, 100 unless given), and
/// `after` the previous page's `next`, the id the following page starts below.
enum DeliveryPaging {
    /// Reads `limit` and `after` from the request's query into `query`; a limit that is no number
    /// reads as 0, which the services refuse as out of range (`DeliveryQuery.pageLimitError`).
    static func read(_ request: Request, into query: inout DeliveryQuery) {
        let parameters = request.uri.queryParameters
        if let raw = parameters.get("limit") { query.limit = Int(raw) ?? 0 }
        query.after = parameters.get("after")
    }

    /// A full page names its last delivery as `next`, since more may follow; a shorter one is the last.
    static func page(_ deliveries: [Delivery], of query: DeliveryQuery) -> DeliveryPage {
        DeliveryPage(deliveries: deliveries.map { DeliveryView($0) }, next: deliveries.count == query.limit ? deliveries.last?.id : nil)
    }
}
