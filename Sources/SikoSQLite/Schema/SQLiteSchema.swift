import GRDB

/// Named, append-only migrations. Times are Unix milliseconds (INTEGER): compact, fast to compare,
/// and the same in PostgreSQL (bigint).
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: keys, subscriptions, events, deliveries, attempts") { db in
            try db.execute(sql: """
                CREATE TABLE api_key (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    scopes TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    revoked_at INTEGER
                );
                CREATE TABLE subscription (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    name TEXT NOT NULL,
                    areas TEXT NOT NULL,
                    topics TEXT NOT NULL,
                    min_urgency TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    target TEXT NOT NULL,
                    language TEXT NOT NULL,
                    secret TEXT,
                    enabled INTEGER NOT NULL,
                    disabled_reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    deleted_at INTEGER
                );
                CREATE INDEX subscription_partner ON subscription(partner) WHERE deleted_at IS NULL;
                CREATE TABLE event (
                    id TEXT PRIMARY KEY,
                    publisher TEXT NOT NULL,
                    external_id TEXT,
                    idempotency_key TEXT,
                    topic TEXT NOT NULL,
                    urgency TEXT NOT NULL,
                    areas TEXT NOT NULL,
                    title TEXT NOT NULL,
                    body TEXT,
                    classification TEXT NOT NULL,
                    published_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    data TEXT,
                    delivery_count INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX event_external_id ON event(publisher, external_id) WHERE external_id IS NOT NULL;
                CREATE UNIQUE INDEX event_idempotency_key ON event(publisher, idempotency_key) WHERE idempotency_key IS NOT NULL;
                CREATE TABLE delivery (
                    id TEXT PRIMARY KEY,
                    event_id TEXT NOT NULL REFERENCES event(id),
                    subscription_id TEXT NOT NULL,
                    partner TEXT NOT NULL,
                    publisher TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    target TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    next_attempt_at INTEGER,
                    lease_owner TEXT,
                    lease_expires_at INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX delivery_event ON delivery(event_id);
                CREATE INDEX delivery_due ON delivery(next_attempt_at) WHERE status IN ('pending', 'failed');
                CREATE INDEX delivery_lease ON delivery(lease_expires_at) WHERE status = 'sending';
                CREATE INDEX delivery_status ON delivery(status, id);
                CREATE INDEX delivery_subscription ON delivery(subscription_id) WHERE status IN ('pending', 'failed');
                CREATE TABLE attempt (
                    delivery_id TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    response_code INTEGER,
                    error TEXT,
                    PRIMARY KEY (delivery_id, number)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: delivery reports, named secrets") { db in
            try db.execute(sql: """
                CREATE TABLE receipt (
                    delivery_id TEXT NOT NULL,
                    code INTEGER NOT NULL,
                    detail TEXT,
                    received_at INTEGER NOT NULL,
                    PRIMARY KEY (delivery_id, code)
                ) WITHOUT ROWID;
                CREATE TABLE secret (
                    name TEXT PRIMARY KEY,
                    value BLOB NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3: exercises, policy decisions on deliveries") { db in
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN exercise INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE delivery ADD COLUMN content TEXT NOT NULL DEFAULT 'full';
                ALTER TABLE delivery ADD COLUMN rule TEXT;
                """)
        }
        migrator.registerMigration("v4: due index covers channel and target") { db in
            // Claims skip targets at their cap and channels other than the one claimed for; with
            // both in the index, a slow target's backlog is skipped without reading its rows.
            try db.execute(sql: """
                DROP INDEX delivery_due;
                CREATE INDEX delivery_due ON delivery(next_attempt_at, channel, target) WHERE status IN ('pending', 'failed');
                """)
        }
        migrator.registerMigration("v5: when a subscription's deliveries started failing") { db in
            try db.execute(sql: "ALTER TABLE subscription ADD COLUMN failing_since INTEGER")
        }
        migrator.registerMigration("v6: when each key was last used") { db in
            try db.execute(sql: "ALTER TABLE api_key ADD COLUMN last_used_at INTEGER")
        }
        migrator.registerMigration("v7: audit trail, retention, request signing") { db in
            // No index beyond the sequence: one row per published event is on the hot path, and
            // reading by partner is a rare admin query that may scan.
            // The triggers keep the trail append-only for every writer that goes through SQLite;
            // the hash chain shows what someone with the file in hand changed anyway.
            try db.execute(sql: """
                CREATE TABLE audit (
                    sequence INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    partner TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    object TEXT NOT NULL,
                    detail TEXT,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                ALTER TABLE event ADD COLUMN purged_at INTEGER;
                ALTER TABLE api_key ADD COLUMN signing_secret TEXT;
                """)
        }
        migrator.registerMigration("v8: due index led by channel") { db in
            // Without statistics SQLite preferred delivery_status for v4's index and sorted every
            // open row: 30 ms per claim at 200k waiting. Led by channel, a claim (and a channel with
            // nothing due) is an index range: under 0.1 ms.
            try db.execute(sql: """
                DROP INDEX delivery_due;
                CREATE INDEX delivery_due ON delivery(channel, next_attempt_at, target) WHERE status IN ('pending', 'failed');
                """)
        }
        migrator.registerMigration("v9: replay memory of signed requests") { db in
            // One row per signed request within the time window; the key makes "seen before?"
            // one atomic insert, and the index on signed_at makes forgetting old ones a range delete.
            try db.execute(sql: """
                CREATE TABLE signed_request (
                    key_id TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    signed_at INTEGER NOT NULL,
                    PRIMARY KEY (key_id, request_id)
                ) WITHOUT ROWID;
                CREATE INDEX signed_request_age ON signed_request(signed_at);
                """)
        }
        migrator.registerMigration("v10: write probe for readiness") { db in
            // One row that /ready rewrites, so a full disk or a read-only file shows there while nothing else writes.
            try db.execute(sql: "CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)")
        }
        migrator.registerMigration("v11: an event's deliveries paged by id") { db in
            // GET /v1/events/{id}/deliveries pages by id. On (event_id) alone each page read and
            // sorted all the event's deliveries (50-100 ms a page at 50,000); with the id in the
            // index a page is one range (under 1 ms), and the lookups by event alone still use it.
            try db.execute(sql: """
                DROP INDEX delivery_event;
                CREATE INDEX delivery_event ON delivery(event_id, id);
                """)
        }
        migrator.registerMigration("v12: users, keys bound to them, console sessions, sign-in throttle") { db in
            // Logins are stored lowercase; NOCASE keeps them unique even if a writer forgot to.
            // Sessions are keyed by the SHA-256 of their id, so a copy of the file holds no live one.
            // Sign-in failures live minutes: the age index makes forgetting them a range delete.
            try db.execute(sql: """
                CREATE TABLE user_account (
                    id TEXT PRIMARY KEY,
                    partner TEXT NOT NULL,
                    login TEXT NOT NULL UNIQUE COLLATE NOCASE,
                    name TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    cleared INTEGER NOT NULL,
                    language TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    totp_secret TEXT,
                    totp_last_step INTEGER,
                    created_at INTEGER NOT NULL,
                    disabled_at INTEGER,
                    last_sign_in_at INTEGER
                );
                CREATE INDEX user_account_partner ON user_account(partner);
                ALTER TABLE api_key ADD COLUMN user_id TEXT;
                CREATE INDEX api_key_user ON api_key(user_id) WHERE user_id IS NOT NULL;
                CREATE TABLE console_session (
                    id_hash TEXT PRIMARY KEY,
                    user_id TEXT,
                    value BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX console_session_user ON console_session(user_id) WHERE user_id IS NOT NULL;
                CREATE INDEX console_session_expiry ON console_session(expires_at);
                CREATE TABLE sign_in_failure (
                    subject TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX sign_in_failure_subject ON sign_in_failure(subject, at);
                CREATE INDEX sign_in_failure_age ON sign_in_failure(at);
                """)
        }
        migrator.registerMigration("v13: bulletins") { db in
            // A bulletin is read and written whole; status and updated_at are columns for lists,
            // revision for the compare-and-set that lets one of two approvers win.
            try db.execute(sql: """
                CREATE TABLE bulletin (
                    id TEXT PRIMARY KEY,
                    status TEXT NOT NULL,
                    revision INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    document TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX bulletin_status ON bulletin(status, id);
                """)
        }
        migrator.registerMigration("v14: test notifications") { db in
            // A test notification is an event like any other, so its delivery is tracked like any
            // other; the flag keeps it out of what the policies read back at start.
            try db.execute(sql: "ALTER TABLE event ADD COLUMN test INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v15: credential version for key caches") { db in
            // Triggers, not the store's methods, move the version: `siko keys revoke`, another
            // gateway and any later writer bump it without having to remember to. Columns that
            // authentication does not read (last use, password, sign-in bookkeeping) leave it alone.
            try db.execute(sql: """
                CREATE TABLE credential_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
                INSERT INTO credential_version (id, version) VALUES (1, 0);
                CREATE TRIGGER api_key_changed AFTER UPDATE OF partner, hash, scopes, expires_at, revoked_at, signing_secret, user_id ON api_key
                BEGIN UPDATE credential_version SET version = version + 1 WHERE id = 1; END;
                CREATE TRIGGER api_key_deleted AFTER DELETE ON api_key
                BEGIN UPDATE credential_version SET version = version + 1 WHERE id = 1; END;
                CREATE TRIGGER user_changed AFTER UPDATE OF partner, login, name, roles, cleared, language, disabled_at ON user_account
                BEGIN UPDATE credential_version SET version = version + 1 WHERE id = 1; END;
                CREATE TRIGGER user_deleted AFTER DELETE ON user_account
                BEGIN UPDATE credential_version SET version = version + 1 WHERE id = 1; END;
                """)
        }
        migrator.registerMigration("v16: updates, cancellations and translations") { db in
            // original_id is the chain's first event, so an event's page finds its corrections in
            // one range of the index; only corrections and answers have one.
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN message_type TEXT NOT NULL DEFAULT 'alert';
                ALTER TABLE event ADD COLUMN refs TEXT NOT NULL DEFAULT '';
                ALTER TABLE event ADD COLUMN original_id TEXT;
                ALTER TABLE event ADD COLUMN translations TEXT;
                CREATE INDEX event_original ON event(original_id, id) WHERE original_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v17: webhook payload format") { db in
            // The default is what every subscription received before: the JSON envelope.
            try db.execute(sql: "ALTER TABLE subscription ADD COLUMN format TEXT NOT NULL DEFAULT 'json'")
        }
        return migrator
    }
}
