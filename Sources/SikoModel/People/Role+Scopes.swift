extension Role {
    /// What every role may read: the partner's events, deliveries and subscriptions.
    static let reading: Set<Scope> = [.deliveriesRead, .subscriptionsRead]

    /// What a person with `roles` may do, in the console and through a key bound to them. Each role
    /// reads like a viewer. Only the Geschäftsstelle writes bulletins, and only its admins
    /// administer every partner: an admin elsewhere gets `partner:admin`, never `admin`, whose
    /// holder sees all partners.
    public static func scopes(for roles: Set<Role>, atCentralOffice: Bool) -> Set<Scope> {
        guard !roles.isEmpty else { return [] }
        var scopes = reading
        for role in roles {
            switch role {
            case .viewer: break
            case .editor:
                scopes.formUnion([.subscriptionsManage, .deliveriesRetry])
                if atCentralOffice { scopes.insert(.bulletinsSend) }
            case .approver: scopes.insert(.bulletinsApprove)
            case .admin: scopes.insert(atCentralOffice ? .admin : .partnerAdmin)
            }
        }
        return scopes
    }
}
