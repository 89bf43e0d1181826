import Foundation
import Logging
import PostgresNIO
@testable import SikoPostgres
import SikoTestSupport
import Testing

@Suite("PostgreSQL store: migrations on a private cluster")
struct PostgresMigrationTests {
    /// A fresh database of the run's cluster, and `count` gateways' connections to it.
    private func databases(_ count: Int) async throws -> [PostgresPool] {
        try #require(PostgresHarness.available, "\(PostgresHarness.Failure.missing)")
        let url = try PostgresURL(try await PostgresHarness.database())
        return try (0..<count).map { _ in try PostgresPool(url: url, logger: Logger(label: "siko-test")) }
    }

    @Test("three gateways starting together apply each migration once, and one started later finds nothing to do")
    func once() async throws {
        let gateways = try await databases(3)
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for gateway in gateways { group.addTask { try await gateway.migrate() } }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(applied == PostgresSchema.migrations.map(\.name), "every migration once, in order, whichever gateway ran it")
        #expect(try await gateways[1].migrate().isEmpty)
        let recorded = try await gateways[2].client.query("SELECT count(*) FROM siko_migration").collect().first?.decode(Int.self)
        #expect(recorded == PostgresSchema.migrations.count)
        for gateway in gateways { await gateway.shutdown() }
    }

    @Test("a failing migration leaves nothing behind and releases the lock for the next gateway")
    func failing() async throws {
        let gateways = try await databases(2)
        let broken = PostgresSchema.Migration(name: "v0: broken", statements: ["CREATE TABLE half (id integer)", "CREATE TABLE half (id integer)"])
        await #expect {
            try await gateways[0].migrate([broken])
        } throws: { error in
            "\(error)" == "the PostgreSQL store could not apply migration 'v0: broken': relation \"half\" already exists"
        }
        let half = try await gateways[1].client.query("SELECT to_regclass('half')::text").collect().first?.decode(String?.self)
        #expect(half == .some(nil), "the migration's transaction was rolled back")
        #expect(try await gateways[1].migrate() == PostgresSchema.migrations.map(\.name), "the lock was given back")
        for gateway in gateways { await gateway.shutdown() }
    }

    @Test("the audit trail refuses changes and deletions; a change of a key moves the credential version")
    func triggers() async throws {
        let gateway = try await databases(1)[0]
        try await gateway.migrate()
        let client = gateway.client
        try await client.query("INSERT INTO audit VALUES (1, 0, 'p', 'a', 'x', 'o', NULL, '', 'h')")
        await #expect(throws: PSQLError.self) { try await client.query("UPDATE audit SET detail = 'changed'") }
        await #expect(throws: PSQLError.self) { try await client.query("DELETE FROM audit") }
        try await client.query("INSERT INTO api_key (id, partner, hash, scopes, created_at) VALUES ('k', 'p', 'h', '[]', 0)")
        let before = try await client.query("SELECT version FROM credential_version").collect().first?.decode(Int64.self)
        try await client.query("UPDATE api_key SET last_used_at = 5")
        let afterUse = try await client.query("SELECT version FROM credential_version").collect().first?.decode(Int64.self)
        try await client.query("UPDATE api_key SET revoked_at = 9")
        let afterRevoke = try await client.query("SELECT version FROM credential_version").collect().first?.decode(Int64.self)
        #expect(afterUse == before, "a key's last use is not what authentication reads")
        #expect(afterRevoke == before.map { $0 + 1 })
        await gateway.shutdown()
    }
}
