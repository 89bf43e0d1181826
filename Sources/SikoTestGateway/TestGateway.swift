import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SikoConfig
import SikoCore
import SikoModel
import SikoServer
import SikoSQLite
import SikoTestSupport
import Synchronization

/// A complete gateway on a fresh SQLite file, with loopback allowed for webhook receivers.
public struct TestGateway: Sendable {
    public let folder: TemporaryDirectory
    public let store: SQLiteStore
    public let gateway: Gateway
    public let front: GatewayApplication.Front

    public static func withGateway<T>(
        retrySchedule: RetrySchedule = RetrySchedule(delays: [.zero, .zero, .zero]),
        webhookTimeout: Duration = .seconds(5),
        perTargetConcurrency: Int = 16,
        breaker: CircuitBreaker.Settings = .init(),
        email: ChannelSettings<EmailOptions>? = nil,
        sms: ChannelSettings<SMSOptions>? = nil,
        policies: Policies = .standard,
        partnerContacts: [String: String] = [:],
        rateLimit: RateLimiter.Limit? = nil,
        access: AccessSettings = .init(),
        clock: any WallClock = SystemClock(),
        allowPrivateTargets: [CIDR] = [CIDR("127.0.0.0/8")!],
        channels fromFile: ChannelsConfiguration? = nil,
        signInPolicy: SignInPolicy = .init(),
        passwords: PasswordHasher = .testing,
        _ body: (TestGateway) async throws -> T
    ) async throws -> T {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let sealer = try SecretSealer.keyFile(at: folder.file("siko.sqlite.key"))
        let store = try SQLiteStore(path: folder.file("siko.sqlite"), sealer: sealer)
        try await sealer.prepare(store)
        var logger = Logger(label: "siko-test")
        logger.logLevel = .warning
        let channels = fromFile ?? ChannelsConfiguration(
            webhook: ChannelSettings(
                retrySchedule: retrySchedule, timeout: webhookTimeout, concurrency: 32, perTargetConcurrency: perTargetConcurrency, breaker: breaker,
                options: WebhookOptions(allowPrivateTargets: allowPrivateTargets)
            ),
            email: email, sms: sms
        )
        let gateway = try await Gateway(
            rules: RuleSet(reference: Repository.reference(contacts: partnerContacts), policies: policies), channelSettings: channels, store: store,
            sealer: sealer, templates: Repository.channels + "/templates", clock: clock, logger: logger,
            dispatcherConfiguration: .init(idlePoll: .milliseconds(200)), signInPolicy: signInPolicy, passwords: passwords
        )
        let fixture = TestGateway(folder: folder, store: store, gateway: gateway, front: .init(rateLimit: rateLimit, access: access))
        do {
            let result = try await body(fixture)
            await gateway.shutdown()
            return result
        } catch {
            await gateway.shutdown()
            throw error
        }
    }

    public func key(_ partner: String, _ scopes: Scope...) async throws -> String {
        try await gateway.keys.issue(by: .operator, partner: partner, scopes: scopes.map(\.rawValue)).key
    }

    /// A user made by the operator, with a password long enough for the rules.
    @discardableResult
    public func user(
        _ login: String, of partner: String, _ roles: Role..., cleared: Bool = false, password: String = "richtig-langes-passwort"
    ) async throws -> User {
        try await gateway.users.create(
            UserService.Submission(partner: partner, login: login, name: "Person \(login)", roles: roles.map(\.rawValue), cleared: cleared, password: password),
            by: .operator
        )
    }

    /// A key bound to a person: the user is made (by login) when new, with the roles of `person`
    /// and those the scopes need, so the key keeps every scope asked for.
    public func key(_ partner: String, person: Person, _ scopes: Scope...) async throws -> String {
        var roles = person.roles
        if scopes.contains(.bulletinsSend) || scopes.contains(.subscriptionsManage) { roles.insert(.editor) }
        if scopes.contains(.bulletinsApprove) { roles.insert(.approver) }
        if scopes.contains(.admin) { roles.insert(.admin) }
        if scopes.contains(.deliveriesRead) { roles.insert(.viewer) }
        if try await gateway.users.list(by: .operator).first(where: { $0.login == person.login }) == nil {
            _ = try await gateway.users.create(
                UserService.Submission(
                    partner: partner, login: person.login, name: person.name, roles: roles.map(\.rawValue), cleared: person.cleared,
                    password: "richtig-langes-passwort"
                ),
                by: .operator
            )
        }
        return try await gateway.keys.issue(by: .operator, partner: partner, user: person.login, scopes: scopes.map(\.rawValue)).key
    }

    public var router: Router<SikoRequestContext> { GatewayApplication.router(for: gateway, front: front) }

    /// Serves this gateway on a real socket, with its dispatcher running, for the length of `body`.
    public func live<T: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await GatewayApplication.make(gateway: gateway, front: front, host: "127.0.0.1", port: 0).test(.live, body)
    }

    /// Waits until the delivery reaches a final state (bounded, so a stuck delivery fails the test).
    public func waitForFinal(_ deliveryID: String, timeout: Duration = .seconds(20)) async throws -> Delivery? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let delivery = try await store.delivery(id: deliveryID), delivery.status.isFinal { return delivery }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await store.delivery(id: deliveryID)
    }
}

extension TestClientProtocol {
    /// Sends a JSON request and answers the status and the decoded JSON body.
    @discardableResult
    public func json(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, body: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields) {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let data = Data(buffer: response.body)
        let object = data.isEmpty ? [:] : (try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:])
        return (response.status, object, response.headers)
    }
}

extension Store {
    /// A claim on every channel with no caps, as the store tests use it.
    public func claim(limit: Int, owner: String, now: Date, leaseUntil: Date) async throws -> [DeliveryJob] {
        var jobs: [DeliveryJob] = []
        for channel in ChannelKind.allCases where jobs.count < limit {
            jobs += try await claim(ClaimRequest(channel: channel, limit: limit - jobs.count, owner: owner, now: now, leaseUntil: leaseUntil))
        }
        return jobs
    }
}

extension SQLiteStore {
    /// A store whose secrets are sealed with the key file beside it, as `siko serve` opens one by default.
    public convenience init(path: String) throws {
        try self.init(path: path, sealer: SecretSealer.keyFile(at: path + ".key"))
    }
}

extension KeyService {
    /// A key issued by the operator, with scopes as values.
    public func issue(partner: String, scopes: Set<Scope>, expiresAt: Date? = nil, requireSignature: Bool = false) async throws -> Issued {
        try await issue(by: .operator, partner: partner, scopes: scopes.map(\.rawValue), expiresAt: expiresAt, requireSignature: requireSignature)
    }
}

extension AuditRecord {
    /// The entry a test writes with a change it makes on the store directly.
    public static func byTest(_ action: AuditAction, object: String) -> AuditRecord {
        AuditRecord(at: Date(), partner: Identity.operatorPartner, actor: "test", action: action, object: object)
    }
}

extension SubscriptionStore {
    /// Inserts a subscription as a test's setup, with no cap.
    public func insertSubscription(_ subscription: Subscription, secret: String?) async throws {
        _ = try await insertSubscription(subscription, secret: secret, maxPerPartner: .max, audit: .byTest(.subscriptionCreate, object: subscription.id))
    }
}
