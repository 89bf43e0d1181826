/// Everything read from `Rules/`: the reference data matching uses and the policies applied after it.
/// Replaced whole on reload, so a request sees either the old rules or the new, never a mix.
public struct RuleSet: Sendable {
    public var reference: ReferenceData
    public var policies: Policies

    public init(reference: ReferenceData, policies: Policies = .standard) {
        self.reference = reference
        self.policies = policies
    }
}
