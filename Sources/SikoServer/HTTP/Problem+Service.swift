import SikoCore
import SikoModel

extension Problem {
    /// How the API says what a service refused.
    init(_ error: ServiceError) {
        switch error {
        case .missingScope(let scope):
            self.init(status: .forbidden, type: "missing-scope", title: "Missing scope", detail: "this key lacks the scope \(scope.rawValue)")
        case .invalid(let failure):
            self = .validation(failure)
        case .notFound(let what):
            self = .notFound(what)
        case .outsideJurisdiction(let partner, let areas):
            self.init(
                status: .forbidden, type: "outside-jurisdiction", title: "Outside jurisdiction",
                detail: "\(partner) may not publish into \(areas.joined(separator: ", "))"
            )
        case .conflict(let type, let title, let detail):
            self.init(status: .conflict, type: type, title: title, detail: detail)
        case .limit(let type, let title, let detail):
            self.init(status: .unprocessableContent, type: type, title: title, detail: detail)
        }
    }
}
