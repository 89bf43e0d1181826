import ArgumentParser
import Foundation
import ServiceLifecycle
import Hummingbird
import Logging
import SikoCAP
import SikoChannels
import SikoConfig
import SikoModel
import SikoServer
import SikoConsole
import SikoCore
import SikoSQLite

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API and send deliveries.")

    @OptionGroup var data: DataOptions
    @OptionGroup var config: ConfigOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8080

    @OptionGroup var connections: ConnectionOptions

    @Option(help: "On SIGTERM, how long sends in flight may take before they are given back unsent (e.g. 15s).")
    var drainTimeout = "15s"

    @Option(help: "Requests a second per API key, sustained (0 for no limit).")
    var rateLimit = 100.0

    @Option(help: "Requests per API key that may come at once.")
    var rateBurst = 500.0

    @Option(help: "How long targets, titles and bodies of events and deliveries are kept (purged daily; e.g. 90d).")
    var retention = "90d"

    @Option(help: "Requests a second with unknown API keys per client address, sustained (0 for no limit).")
    var unknownKeyRate = 1.0

    @Option(help: "Requests with unknown API keys per client address that may come at once.")
    var unknownKeyBurst = 20.0

    @Option(help: "Proxies (CIDRs, comma-separated or repeated) whose X-Forwarded-For names the client.")
    var trustedProxies: [String] = []

    @Option(help: "A bearer token /metrics asks for (better: SIKO_METRICS_TOKEN, kept out of process lists); without one it is open.")
    var metricsToken: String?

    @Option(help: "Where people reach the gateway (the console's links, Secure cookies, VS-NfD only over https or loopback); default: the email channel's publicURL.")
    var publicURL: String?

    @Option(help: "The feedback contact of the console's accessibility statement (an email address).")
    var accessibilityContact = "barrierefreiheit@siko-ruhr.example"

    @Option(help: "Live subscriptions one partner may have; creating one more answers 422.")
    var maxSubscriptions = Gateway.defaultMaxSubscriptions

    @Option(help: "A role whose people must sign in to the console with a second factor (TOTP), e.g. admin. Repeat for several.")
    var requireTotp: [String] = []

    private var proxies: [CIDR?] { trustedProxies.flatMap { $0.split(separator: ",") }.map { CIDR(String($0)) } }

    func validate() throws {
        guard rateLimit >= 0, rateBurst >= 1 else { throw ValidationError("--rate-limit must be 0 or more and --rate-burst at least 1") }
        guard DurationText.parse(drainTimeout) != nil else { throw ValidationError("--drain-timeout: '\(drainTimeout)' is not a duration such as 15s") }
        guard DurationText.parse(retention).map({ $0 > .zero }) == true else {
            throw ValidationError("--retention: '\(retention)' is not a duration such as 90d")
        }
        guard unknownKeyRate >= 0, unknownKeyBurst >= 1 else {
            throw ValidationError("--unknown-key-rate must be 0 or more and --unknown-key-burst at least 1")
        }
        guard maxSubscriptions >= 1 else { throw ValidationError("--max-subscriptions must be at least 1") }
        for role in requireTotp where Role(rawValue: role) == nil {
            throw ValidationError("--require-totp: unknown role '\(role)'; one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard !proxies.contains(nil) else { throw ValidationError("--trusted-proxies: '\(trustedProxies.joined(separator: ","))' holds something that is not a CIDR") }
    }

    private var access: AccessSettings {
        let token = metricsToken ?? ProcessInfo.processInfo.environment["SIKO_METRICS_TOKEN"]
        return AccessSettings(
            unknownKeyLimit: unknownKeyRate > 0 ? .init(rate: unknownKeyRate, burst: unknownKeyBurst) : nil,
            trustedProxies: proxies.compactMap { $0 }, metricsToken: token?.isEmpty == false ? token : nil
        )
    }

    func run() async throws {
        CLI.bootstrapLogging()
        let logger = Logger(label: "siko")
        connections.raiseOpenFileLimit(logger: logger)
        let rules = try CLI.loadRules(config)
        let reference = rules.reference
        let channels: ChannelsConfiguration
        do {
            channels = try ChannelsLoader(directory: config.channels).load()
        } catch {
            CLI.printError(error.description)
            throw ExitCode(1)
        }
        let (store, sealer) = try await CLI.openStore(data)
        let shared = store is any StoreChanges
        // The folder lock keeps a second gateway off an embedded store; gateways on PostgreSQL share theirs.
        let lock: DataDirectoryLock?
        do {
            switch try data.location() {
            case .sqlite(let path): lock = try DataDirectoryLock(directory: (path as NSString).deletingLastPathComponent)
            case .postgres: lock = nil
            }
        } catch {
            CLI.printError("\(error)")
            throw ExitCode(1)
        }
        let gateway: Gateway
        let publicURL = publicURL ?? ProcessInfo.processInfo.environment["SIKO_PUBLIC_URL"] ?? channels.email?.options.links.base ?? "http://\(host):\(port)"
        let cap = CAPWriter(
            sender: CAPWriter.sender(configured: ProcessInfo.processInfo.environment["SIKO_CAP_SENDER"], publicURL: publicURL), links: Links(publicURL: publicURL)
        )
        do {
            gateway = try await Gateway(
                rules: rules, channelSettings: channels, store: store, sealer: sealer,
                templates: (config.channels as NSString).appendingPathComponent("templates"), logger: logger,
                dispatcherConfiguration: .init(
                    // Renewed while sends run, so on a shared store a dead gateway's leases pass to the others soon.
                    leaseMargin: shared ? .seconds(20) : .seconds(60), drainTimeout: DurationText.parse(drainTimeout) ?? .seconds(15)
                ),
                maxSubscriptions: maxSubscriptions,
                signInPolicy: SignInPolicy(requireSecondFactor: Set(requireTotp.compactMap(Role.init(rawValue:)))), cap: cap
            )
        } catch let error as TemplateError {
            CLI.printError(error.description)
            throw ExitCode(1)
        }
        let reloader = ConfigurationReloader(gateway: gateway, folders: .init(rules: config.rules, channels: config.channels))
        let fingerprints = reloader.recordFingerprints()
        logger.info("loaded", metadata: [
            "areas": "\(reference.areas.count)", "topics": "\(reference.topics.count)",
            "partners": "\(reference.partners.count)", "subscriptions": "\(gateway.engine.count)",
            "rulesFingerprint": "\(fingerprints?.rules ?? "?")", "channelsFingerprint": "\(fingerprints?.channels ?? "?")",
        ])
        if try await !gateway.users.hasUsers() {
            let store = data.database.map { "--database \($0)" } ?? "--data \(data.data)"
            logger.notice("no users yet; make the first admin with: printf '%s' 'PASSWORD' | siko users create \(store) --partner \(Identity.centralOffice) --login LOGIN --name 'FIRST LAST' --role admin --password-stdin")
        }
        // Before the dispatcher starts: only then is every `sending` row a dead process's.
        let recovered = try await gateway.operations.recoverInterruptedSends()
        if recovered > 0 {
            logger.warning("took back deliveries interrupted by the last stop", metadata: ["count": "\(recovered)"])
        }
        let purger = RetentionService(
            retention: gateway.retention(age: DurationText.parse(retention) ?? Retention.defaultAge), logger: logger
        )
        let console = try Console(
            gateway: gateway,
            settings: .init(publicURL: publicURL, accessibilityContact: accessibilityContact, trustedProxies: access.trustedProxies),
            resources: try await ConsoleResources()
        )
        // On a shared store, other gateways' subscriptions and planned deliveries reach this one.
        let services: [any Service] = [reloader, purger] + (gateway.follower().map { [$0] } ?? [])
        let application = GatewayApplication.make(
            gateway: gateway, front: .init(rateLimit: rateLimit > 0 ? .init(rate: rateLimit, burst: rateBurst) : nil, access: access),
            host: host, port: port, limits: connections.limits, services: services, pages: console
        ) { port in
            logger.info("listening", metadata: ["url": "http://\(host):\(port)"])
        }
        do {
            try await application.runService()
        } catch {
            await gateway.shutdown()
            throw error
        }
        await gateway.shutdown()
        withExtendedLifetime(lock) {}
    }
}
