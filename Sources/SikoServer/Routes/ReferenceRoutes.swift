import Hummingbird
import SikoCore
import SikoModel

/// `GET /v1/areas` and `GET /v1/topics`: the reference data every key may read.
struct ReferenceRoutes {
    let reference: @Sendable () -> ReferenceData

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("areas") { _, context in
            _ = try context.caller()
            return try JSONBody.response(AreaList(areas: reference().areas.areas))
        }
        group.get("topics") { _, context in
            _ = try context.caller()
            return try JSONBody.response(TopicList(topics: reference().topics))
        }
    }
}
