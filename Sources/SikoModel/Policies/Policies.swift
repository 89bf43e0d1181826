/// Everything `Rules/policies.yaml` says about how and when matched subscriptions are told.
public struct Policies: Sendable, Equatable {
    public var quietHours: [QuietHoursRule]
    /// Nil: duplicates are not suppressed.
    public var duplicateWindow: Duration?
    public var floodLimits: [ChannelKind: FloodLimit]
    public var classification: ClassificationRule

    /// No quiet hours, no duplicate or flood suppression, VS-NfD as teaser on email and SMS.
    public static let standard = Policies()

    public init(
        quietHours: [QuietHoursRule] = [], duplicateWindow: Duration? = nil, floodLimits: [ChannelKind: FloodLimit] = [:],
        classification: ClassificationRule = .standard
    ) {
        self.quietHours = quietHours
        self.duplicateWindow = duplicateWindow
        self.floodLimits = floodLimits
        self.classification = classification
    }
}

/// What the policies remember between events: recent events for duplicates, recent sends for flood limits.
public struct PolicyMemory: Sendable {
    public var recentEvents = RecentEvents()
    public var sends = FloodCounter()

    public init() {}
}
