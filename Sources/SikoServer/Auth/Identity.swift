import SikoModel

/// Who is calling: the partner behind an API key and what the key may do.
public struct Identity: Sendable, Equatable {
    public var partner: String
    /// The key's visible prefix, safe to log.
    public var keyID: String
    public var scopes: Set<Scope>
    /// Set when the key's requests must carry a Standard Webhooks signature made with it.
    public var signingSecret: String?

    public init(partner: String, keyID: String, scopes: Set<Scope>, signingSecret: String? = nil) {
        self.partner = partner
        self.keyID = keyID
        self.scopes = scopes
        self.signingSecret = signingSecret
    }

    public var isAdmin: Bool { scopes.contains(.admin) }

    /// `admin` implies every scope.
    public func has(_ scope: Scope) -> Bool { isAdmin || scopes.contains(scope) }

    /// May this caller see objects owned by `partner`?
    public func owns(_ partner: String) -> Bool { isAdmin || self.partner == partner }
}
