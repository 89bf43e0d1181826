/// What an API key may do. Each key carries only the scopes it needs.
public enum Scope: String, Codable, Sendable, CaseIterable {
    case eventsPublish = "events:publish"
    /// Publishing as the Geschäftsstelle without a bulletin's four eyes: for systems only, granted
    /// by an admin, and named in the audit on every use. Not implied by `admin`.
    case eventsPublishDirect = "events:publish-direct"
    case subscriptionsManage = "subscriptions:manage"
    /// Reading the partner's subscriptions without changing them (a viewer); `subscriptions:manage` implies it.
    case subscriptionsRead = "subscriptions:read"
    case deliveriesRead = "deliveries:read"
    /// Putting dead or failed deliveries back in the queue. A key's `deliveries:read` carries it
    /// (`Scope.ofKey`), as it always did; a viewer reads deliveries without it.
    case deliveriesRetry = "deliveries:retry"
    case bulletinsSend = "bulletins:send"
    case bulletinsApprove = "bulletins:approve"
    /// Users and keys of the holder's own partner, and its part of the audit: an admin of a partner
    /// other than the Geschäftsstelle.
    case partnerAdmin = "partner:admin"
    case admin

    /// Scopes that `admin` does not imply: each must be granted by name.
    public static let explicitOnly: Set<Scope> = [.eventsPublishDirect]

    /// Scopes that holding this one implies, for any holder.
    public var implied: Set<Scope> { self == .subscriptionsManage ? [.subscriptionsRead] : [] }

    /// What a key granted `scopes` may do, each implied scope spelt out (so a person's roles can cap
    /// them one by one). Keys made before `deliveries:retry` existed retried with `deliveries:read`,
    /// and every key keeps that promise of the API.
    public static func ofKey(_ scopes: Set<Scope>) -> Set<Scope> {
        var granted = scopes.reduce(into: scopes) { $0.formUnion($1.implied) }
        if granted.contains(.deliveriesRead) { granted.insert(.deliveriesRetry) }
        return granted
    }
}
