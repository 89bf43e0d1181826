import Hummingbird

/// `GET /v1/areas` and `GET /v1/topics`: the reference data every key may read.
struct ReferenceRoutes {
    let gateway: Gateway

    func register(on group: RouterGroup<SikoRequestContext>) {
        group.get("areas") { _, context in
            _ = try context.caller()
            return try JSONBody.response(AreaList(areas: gateway.reference.areas.areas))
        }
        group.get("topics") { _, context in
            _ = try context.caller()
            return try JSONBody.response(TopicList(topics: gateway.reference.topics))
        }
    }
}
