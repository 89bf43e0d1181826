import Foundation
import Logging
import PostgresNIO
import SikoModel

/// What the gateways on the database published that a batch of publishes is measured against for
/// the installation's duplicate window and flood limits. Read once per batch, inside its
/// transaction and under transaction-scoped locks by fingerprint and by target, so two gateways
/// publishing copies at once see each other: the second waits for the first's commit, then counts it.
struct SharedPolicies {
    typealias Target = SharedPolicyCheck.Target

    var originals: [String: SharedPolicyCheck.Original]
    var sent: [Target: Int]

    /// Lock classes of the two-key advisory locks (the single-key ones serialise migrations and the audit chain).
    static let duplicateLocks: Int32 = 0x51C0
    static let floodLocks: Int32 = 0x51C1
    static let lockBuckets: Int32 = 1024

    static func read(for requests: [PublishRequest], on connection: PostgresConnection, logger: Logger) async throws -> SharedPolicies {
        var fingerprints: Set<String> = []
        var duplicatesSince = Date.distantFuture
        var targets: [Target: Date] = [:]
        for request in requests {
            guard let check = request.shared else { continue }
            if let window = check.duplicateWindow {
                fingerprints.insert(check.fingerprint)
                duplicatesSince = min(duplicatesSince, request.event.publishedAt.addingTimeInterval(-window.timeInterval))
            }
            for target in check.limitedTargets(request.deliveries) {
                let since = request.event.publishedAt.addingTimeInterval(-(check.floodLimits[target.channel]?.per.timeInterval ?? 0))
                targets[target] = min(targets[target] ?? since, since)
            }
        }
        var shared = SharedPolicies(originals: [:], sent: [:])
        guard !fingerprints.isEmpty || !targets.isEmpty else { return shared }
        // What the reads below see must be what others committed before the locks were granted,
        // whatever the database's default isolation: each statement its own snapshot.
        try await connection.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", logger: logger)
        let targetList = targets.keys.sorted()
        // Locks by bucket, so a batch of hundreds of events holds a bounded number of the server's
        // lock slots (unrelated keys in one bucket merely wait for each other); every gateway takes
        // them in the buckets' order, so two batches never wait for each other in a circle.
        let locks = fingerprints.map { (duplicateLocks, $0) } + targetList.map { (floodLocks, "\($0.channel.rawValue)\u{1F}\($0.target)") }
        try await connection.execute("""
            SELECT count(pg_advisory_xact_lock(c, b))
            FROM (SELECT DISTINCT c, hashtext(k) & \(lockBuckets - 1) AS b FROM unnest(\(locks.map(\.0)), \(locks.map(\.1))) AS t(c, k) ORDER BY c, b) ordered
            """, logger: logger)
        if !fingerprints.isEmpty {
            let rows = try await connection.rows("""
                SELECT DISTINCT ON (fingerprint) fingerprint, id, urgency, published_at FROM event
                WHERE fingerprint = ANY(\(Array(fingerprints))) AND published_at >= \(Stored.millis(duplicatesSince))
                ORDER BY fingerprint, published_at DESC
                """, logger: logger)
            for row in rows {
                let (fingerprint, id, urgency, publishedAt) = try row.decode((String, String, String, Int64).self)
                guard let urgency = Urgency(rawValue: urgency) else { continue }
                shared.originals[fingerprint] = .init(eventId: id, urgency: urgency, publishedAt: Date(timeIntervalSince1970: Double(publishedAt) / 1000))
            }
        }
        if !targetList.isEmpty {
            let rows = try await connection.rows("""
                SELECT d.channel, d.target, count(*)::bigint
                FROM unnest(\(targetList.map(\.channel.rawValue)), \(targetList.map(\.target)), \(targetList.map { Stored.millis(targets[$0]!) }))
                    AS k(channel, target, since)
                JOIN delivery d ON d.channel = k.channel AND d.target = k.target AND d.created_at > k.since AND d.status <> 'suppressed'
                GROUP BY d.channel, d.target
                """, logger: logger)
            for row in rows {
                let (channel, target, count) = try row.decode((String, String, Int64).self)
                guard let channel = ChannelKind(rawValue: channel) else { continue }
                shared.sent[Target(channel: channel, target: target)] = Int(count)
            }
        }
        return shared
    }

    /// Decides `request`'s deliveries by the installation's policies; answers the fingerprint to
    /// store with the event when it is an original later copies are measured against. Applied to
    /// a copy that is kept only once the event is stored, so a replay counts for nothing.
    mutating func apply(to request: inout PublishRequest) -> String? {
        guard let check = request.shared else { return nil }
        let event = request.event
        let (deliveries, isOriginal) = check.apply(to: request.deliveries, of: event, original: originals[check.fingerprint], sent: &sent)
        request.deliveries = deliveries
        guard isOriginal, check.duplicateWindow != nil else { return nil }
        originals[check.fingerprint] = .init(eventId: event.id, urgency: event.urgency, publishedAt: event.publishedAt)
        return check.fingerprint
    }
}
