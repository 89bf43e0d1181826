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
        case .fourEyesRequired:
            self.init(
                status: .forbidden, type: "four-eyes-required", title: "Four eyes required",
                detail: "Die Geschäftsstelle veröffentlicht über Bulletins mit Freigabe (POST /v1/bulletins); direkt nur mit einem Systemschlüssel mit events:publish-direct. "
                    + "(The Geschäftsstelle publishes through approved bulletins; directly only with a system key that has events:publish-direct.)"
            )
        case .personRequired:
            self.init(
                status: .forbidden, type: "person-required", title: "Person required",
                detail: "Bulletins schreiben und freigeben Personen: dieser Schlüssel gehört zu keiner Person. (A bulletin needs a person's key or session; this key belongs to no person.)"
            )
        case .centralOfficeOnly:
            self.init(
                status: .forbidden, type: "central-office-only", title: "Central office only",
                detail: "Bulletins gehören der Geschäftsstelle. (Bulletins belong to the Geschäftsstelle.)"
            )
        case .fourEyes(let bulletin, let approver):
            self.init(
                status: .forbidden, type: "four-eyes", title: "Four eyes",
                detail: "\(approver) hat \(bulletin) geschrieben oder bearbeitet und darf es nicht freigeben: das muss eine andere Person tun. "
                    + "(\(approver) wrote or edited \(bulletin); another person must approve it.)"
            )
        case .versionConflict(let bulletin, let named, let current):
            self.init(
                status: .conflict, type: "version-conflict", title: "Version conflict",
                detail: "\(bulletin) wurde seit Version \(named) geändert und steht jetzt bei Version \(current); bitte die aktuelle Fassung prüfen. "
                    + "(\(bulletin) changed since version \(named); it is at version \(current) now.)"
            )
        case .bulletinNotFound(let bulletin):
            self.init(
                status: .notFound, type: "not-found", title: "Not found",
                detail: "Bulletin \(bulletin) gibt es nicht. (Bulletin \(bulletin) does not exist or is not yours to see.)"
            )
        case .unreadable(let type, let title, let detail):
            self.init(status: .badRequest, type: type, title: title, detail: detail)
        case .notPublisher(let event):
            self.init(
                status: .forbidden, type: "not-publisher", title: "Not the publisher",
                detail: "Nur der Herausgeber kann \(event) aktualisieren oder aufheben. (Only the publisher may update or cancel \(event).)"
            )
        case .wrongState(let bulletin, let action, let status):
            self.init(
                status: .conflict, type: "wrong-state", title: "Wrong state",
                detail: "\(bulletin) hat den Status „\(status.label)“ und kann jetzt nicht \(action.label) werden. (\(bulletin) is \(status.rawValue); it cannot be \(action.rawValue) now.)"
            )
        }
    }
}
