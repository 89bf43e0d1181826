/// What an API key may do. Each key carries only the scopes it needs.
public enum Scope: String, Codable, Sendable, CaseIterable {
    case eventsPublish = "events:publish"
    case subscriptionsManage = "subscriptions:manage"
    case deliveriesRead = "deliveries:read"
    case bulletinsSend = "bulletins:send"
    case admin
}
