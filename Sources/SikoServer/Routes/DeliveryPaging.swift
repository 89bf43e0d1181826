import Hummingbird
import SikoModel
import SikoStore

/// How the delivery listings (`GET /v1/deliveries`, `GET /v1/events/{id}/deliveries`) page, in one
/// place so that they page alike: newest first, `limit` a page (1 to 1000, 100 unless given), and
/// `after` the previous page's `next`, the id the following page starts below.
enum DeliveryPaging {
    static let limits = 1...1000

    /// Reads `limit` and `after` from the request's query into `query`; a limit out of range is added to `errors`.
    static func read(_ request: Request, into query: inout DeliveryQuery, errors: inout [FieldError]) {
        let parameters = request.uri.queryParameters
        if let raw = parameters.get("limit") {
            if let limit = Int(raw), limits.contains(limit) { query.limit = limit } else {
                errors.append(.init("limit", "must be a whole number from \(limits.lowerBound) to \(limits.upperBound)"))
            }
        }
        query.after = parameters.get("after")
    }

    /// A full page names its last delivery as `next`, since more may follow; a shorter one is the last.
    static func page(_ deliveries: [Delivery], of query: DeliveryQuery, for identity: Identity) -> DeliveryPage {
        DeliveryPage(deliveries: deliveries.map { DeliveryView($0, for: identity) }, next: deliveries.count == query.limit ? deliveries.last?.id : nil)
    }
}
