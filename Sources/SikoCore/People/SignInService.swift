import Crypto
import Foundation
import SikoModel

/// What the sign-in policy asks beyond a password: a second factor for some roles
/// (`siko serve --require-totp admin`), and the throttle of failed attempts.
public struct SignInPolicy: Sendable, Equatable {
    public var requireSecondFactor: Set<Role>
    public var throttle: SignInThrottle
    /// How long a sign-in may wait between the password and the code.
    public var challengeLifetime: Duration

    public init(requireSecondFactor: Set<Role> = [], throttle: SignInThrottle = .standard, challengeLifetime: Duration = .seconds(300)) {
        self.requireSecondFactor = requireSecondFactor
        self.throttle = throttle
        self.challengeLifetime = challengeLifetime
    }
}

/// What a sign-in attempt came to, for the page to say. A refusal never says whether the login
/// or the password was wrong, nor that the user is disabled.
public enum SignInOutcome: Sendable, Equatable {
    case signedIn(User)
    /// The password was right and the user has a second factor: ask for the code and pass it with
    /// `challenge` to `continueSignIn` (no password again). `codeRejected` when a code was given and wrong.
    case secondFactorNeeded(challenge: String, codeRejected: Bool)
    /// The password was right, but the user's roles need a second factor they have not set up:
    /// `enrolSecondFactor(challenge:)` makes one, then `continueSignIn` takes its first code.
    case secondFactorSetupRequired(challenge: String)
    /// Wrong login or password, or a disabled user; `wait` when failures made the next attempt
    /// wait (rounded up to whole seconds: "Bitte warten Sie 5 Minuten").
    case refused(wait: Duration?)
}

/// Signing in to the console: password (bcrypt), optional TOTP, throttling kept in the store so it
/// holds across gateways. Successful sign-ins, sign-outs and lock-outs are audited; single failures
/// are only counted, or anyone could flood the trail.
public struct SignInService: Sendable {
    let store: any UserStore & AuditLog
    let passwords: PasswordHasher
    let policy: SignInPolicy
    /// Binds a pending second step to its user, so the code step needs no password and cannot be forged.
    let challengeKey: SymmetricKey
    let clock: any WallClock

    public init(store: any UserStore & AuditLog, passwords: PasswordHasher = .standard, policy: SignInPolicy, challengeKey: SymmetricKey, clock: any WallClock) {
        self.store = store
        self.passwords = passwords
        self.policy = policy
        self.challengeKey = challengeKey
        self.clock = clock
    }

    /// `address` is the client's, for the per-address throttle; `code` may come with the password at once.
    public func signIn(login: String, password: String, code: String? = nil, address: String?) async throws -> SignInOutcome {
        let login = UserRules.normalizedLogin(login)
        let subjects = Self.subjects(login: login, address: address)
        if let wait = try await currentWait(subjects) { return .refused(wait: wait) }
        let user = UserRules.loginProblem(login) == nil ? try await store.user(login: login) : nil
        let matches = await passwords.verify(password, hash: user?.passwordHash)
        guard matches, let user, !user.isDisabled else { return .refused(wait: try await fail(subjects, user: user)) }
        if user.hasSecondFactor {
            let challenge = makeChallenge(user, purpose: .code)
            guard let code else { return .secondFactorNeeded(challenge: challenge, codeRejected: false) }
            return try await finish(user, code: code, challenge: challenge, subjects: subjects)
        }
        if !user.roles.isDisjoint(with: policy.requireSecondFactor) {
            return .secondFactorSetupRequired(challenge: makeChallenge(user, purpose: .setup))
        }
        return try await complete(user, step: nil, subjects: subjects) ?? .refused(wait: nil)
    }

    /// The second step: the code for the user `challenge` stands for.
    public func continueSignIn(challenge: String, code: String, address: String?) async throws -> SignInOutcome {
        guard let user = try await challenged(challenge, purposes: [.code, .setup]), user.hasSecondFactor else { return .refused(wait: nil) }
        let subjects = Self.subjects(login: user.login, address: address)
        if let wait = try await currentWait(subjects) { return .refused(wait: wait) }
        return try await finish(user, code: code, challenge: challenge, subjects: subjects)
    }

    /// Sets up the second factor a `secondFactorSetupRequired` sign-in needs; nil when the challenge
    /// is not (or no longer) valid, or the user has one meanwhile. The URI is shown this once.
    public func enrolSecondFactor(challenge: String) async throws -> SecondFactorEnrolment? {
        guard let user = try await challenged(challenge, purposes: [.setup]), !user.hasSecondFactor else { return nil }
        let secret = SecondFactor.makeSecret()
        let now = clock.now()
        let changed = try await store.updateUser(id: user.id, change: { user in
            guard user.totpSecret == nil else { throw ServiceError.conflict(type: "second-factor-exists", title: "Schon eingerichtet", detail: "set up meanwhile") }
            user.totpSecret = secret
            user.totpLastStep = nil
        }, audit: { user in Identity.signedIn(user).auditRecord(.userSecondFactor, object: user.id, detail: "\(user.login): enrolled at sign-in", at: now) })
        return changed.map { SecondFactorEnrolment(user: $0, uri: SecondFactor.uri(secret: secret, login: $0.login)) }
    }

    /// Audits the end of a console session; the session itself is removed by the session middleware.
    public func signOut(_ identity: Identity) async throws {
        guard let person = identity.person else { return }
        try await store.appendAudit([identity.auditRecord(.signOut, object: person.userID, detail: person.login, at: clock.now())])
    }

    /// The user behind a session, as stored now; nil once disabled or gone, which ends the session.
    public func activeUser(id: String) async throws -> User? {
        guard let user = try await store.user(id: id), !user.isDisabled else { return nil }
        return user
    }

    // MARK: - Steps

    private func finish(_ user: User, code: String, challenge: String, subjects: [String]) async throws -> SignInOutcome {
        let now = clock.now()
        if let secret = user.totpSecret,
           let step = SecondFactor.acceptedStep(code: code, secret: secret, lastStep: user.totpLastStep, at: now),
           let done = try await complete(user, step: step, subjects: subjects) {
            return done
        }
        if let wait = try await fail(subjects, user: user) { return .refused(wait: wait) }
        return .secondFactorNeeded(challenge: challenge, codeRejected: true)
    }

    /// Nil when the TOTP step was used meanwhile (the same code twice at once).
    private func complete(_ user: User, step: Int64?, subjects: [String]) async throws -> SignInOutcome? {
        let now = clock.now()
        let audit = Identity.signedIn(user).auditRecord(.signIn, object: user.id, detail: step == nil ? "password" : "password and TOTP", at: now)
        guard try await store.recordSignIn(userID: user.id, totpStep: step, at: now, clearing: subjects[0], audit: audit) else { return nil }
        var user = user
        user.lastSignInAt = now
        if let step { user.totpLastStep = step }
        return .signedIn(user)
    }

    /// Counts a failure under each subject; the wait it started, if any. A lock-out is audited for
    /// a login that exists and for an address; a login that does not exist is not written down
    /// (it may be a password typed in the wrong field).
    private func fail(_ subjects: [String], user: User?) async throws -> Duration? {
        let now = clock.now()
        let throttle = policy.throttle
        let failures = try await store.recordSignInFailure(subjects: subjects, at: now, since: throttle.relevantSince(now)) { failures in
            subjects.compactMap { subject -> AuditRecord? in
                guard let wait = throttle.wait(after: failures[subject] ?? [], at: now) else { return nil }
                let detail = "\(failures[subject]?.count ?? 0) failed sign-ins; waits \(DurationText.format(wait))"
                if subject == subjects[0] {
                    guard let user else { return nil }
                    return AuditRecord(at: now, partner: user.partner, actor: Identity.system.keyID, action: .signInLockout, object: user.id, detail: "\(user.login): \(detail)")
                }
                return AuditRecord(
                    at: now, partner: Identity.operatorPartner, actor: Identity.system.keyID, action: .signInLockout,
                    object: String(subject.dropFirst(Self.addressPrefix.count)), detail: "address: \(detail)"
                )
            }
        }
        return subjects.compactMap { throttle.wait(after: failures[$0] ?? [], at: now) }.max()
    }

    private func currentWait(_ subjects: [String]) async throws -> Duration? {
        let now = clock.now()
        let failures = try await store.signInFailures(subjects: subjects, since: policy.throttle.relevantSince(now))
        return subjects.compactMap { policy.throttle.wait(after: failures[$0] ?? [], at: now) }.max()
    }

    static let addressPrefix = "address:"

    /// The login's throttle key first (a hash: typed logins may be anything), then the address's.
    static func subjects(login: String, address: String?) -> [String] {
        ["login:" + Hex.encode(SHA256.hash(data: Array(login.utf8)))] + (address.map { [addressPrefix + String($0.prefix(64))] } ?? [])
    }

    // MARK: - Challenges

    enum Purpose: String { case code, setup }

    /// `usr_….<expiry ms>.<purpose>.<HMAC>`; the MAC covers the password hash too, so a reset ends pending sign-ins.
    private func makeChallenge(_ user: User, purpose: Purpose) -> String {
        let expiry = StoredMillis.of(clock.now().addingTimeInterval(policy.challengeLifetime.timeInterval))
        let body = "\(user.id).\(expiry).\(purpose.rawValue)"
        return body + "." + mac(body, user: user)
    }

    private func challenged(_ challenge: String, purposes: Set<Purpose>) async throws -> User? {
        let parts = challenge.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, let expiry = Int64(parts[1]), let purpose = Purpose(rawValue: parts[2]), purposes.contains(purpose),
              expiry > StoredMillis.of(clock.now()), let user = try await store.user(id: parts[0]), !user.isDisabled
        else { return nil }
        let body = parts[0...2].joined(separator: ".")
        return SecondFactor.constantTimeEqual(mac(body, user: user), parts[3]) ? user : nil
    }

    private func mac(_ body: String, user: User) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array((body + "." + user.passwordHash).utf8), using: challengeKey))
    }
}

enum StoredMillis {
    static func of(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
