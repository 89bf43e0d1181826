/// What an API key may do. Each key carries only the scopes it needs.
public enum Scope: String, Codable, Sendable, CaseIterable {
    case eventsPublish = "events:publish"
    /// Publishing as the Geschäftsstelle without a bulletin's four eyes: for systems only, granted
    /// by an admin, and named in the audit on every use. Not implied by `admin`.
    case eventsPublishDirect = "events:publish-direct"
    case subscriptionsManage = "subscriptions:manage"
    case deliveriesRead = "deliveries:read"
    case bulletinsSend = "bulletins:send"
    case bulletinsApprove = "bulletins:approve"
    case admin

    /// Scopes that `admin` does not imply: each must be granted by name.
    public static let explicitOnly: Set<Scope> = [.eventsPublishDirect]
}
