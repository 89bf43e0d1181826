import Hummingbird
import SikoCore
import SikoModel

extension ConsoleContext {
    /// The signed-in person, or off to the sign-in page and back here afterwards.
    func signedIn(_ request: Request) throws -> Identity {
        guard let identity else { throw ConsoleFailure.signInRequired(next: request.uri.description, expired: sessionExpired) }
        return identity
    }
}

extension Request {
    /// The submitted form, refused unless it carries this session's CSRF token.
    func form(_ context: ConsoleContext) async throws -> Form {
        let form = try await Form.read(self, context: context)
        guard CSRFToken.matches(form[CSRFToken.field], context.csrfToken) else { throw ConsoleFailure.csrf }
        return form
    }
}
