/// Named, append-only migrations, each a list of statements run in one transaction. The tables
/// are SQLite's (`SQLiteSchema`) as of its v15, in PostgreSQL's types: times are Unix
/// milliseconds (bigint) in both engines, flags are booleans, blobs bytea, lists JSON text. Text
/// compares byte by byte (`COLLATE "C"`), as in SQLite, whatever locale the database was made with:
/// identifiers are ordered and paged by `<`, and a locale's collation would order them otherwise.
enum PostgresSchema {
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(name: "v1: the gateway's tables (SQLite's v15)", statements: [
            """
            CREATE TABLE api_key (
                id text COLLATE "C" PRIMARY KEY,
                partner text COLLATE "C" NOT NULL,
                hash text COLLATE "C" NOT NULL UNIQUE,
                scopes text COLLATE "C" NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint,
                revoked_at bigint,
                last_used_at bigint,
                signing_secret text COLLATE "C",
                user_id text COLLATE "C"
            )
            """,
            "CREATE INDEX api_key_user ON api_key(user_id) WHERE user_id IS NOT NULL",
            """
            CREATE TABLE subscription (
                id text COLLATE "C" PRIMARY KEY,
                partner text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                areas text COLLATE "C" NOT NULL,
                topics text COLLATE "C" NOT NULL,
                min_urgency text COLLATE "C" NOT NULL,
                channel text COLLATE "C" NOT NULL,
                target text COLLATE "C" NOT NULL,
                language text COLLATE "C" NOT NULL,
                secret text COLLATE "C",
                enabled boolean NOT NULL,
                disabled_reason text COLLATE "C",
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL,
                deleted_at bigint,
                failing_since bigint
            )
            """,
            "CREATE INDEX subscription_partner ON subscription(partner) WHERE deleted_at IS NULL",
            """
            CREATE TABLE event (
                id text COLLATE "C" PRIMARY KEY,
                publisher text COLLATE "C" NOT NULL,
                external_id text COLLATE "C",
                idempotency_key text COLLATE "C",
                topic text COLLATE "C" NOT NULL,
                urgency text COLLATE "C" NOT NULL,
                areas text COLLATE "C" NOT NULL,
                title text COLLATE "C" NOT NULL,
                body text COLLATE "C",
                classification text COLLATE "C" NOT NULL,
                published_at bigint NOT NULL,
                expires_at bigint,
                data text COLLATE "C",
                delivery_count integer NOT NULL,
                exercise boolean NOT NULL DEFAULT false,
                purged_at bigint,
                test boolean NOT NULL DEFAULT false
            )
            """,
            // Idempotency across gateways rests on these: two gateways inserting the same key at
            // once, one wins and the other reads the winner.
            "CREATE UNIQUE INDEX event_external_id ON event(publisher, external_id) WHERE external_id IS NOT NULL",
            "CREATE UNIQUE INDEX event_idempotency_key ON event(publisher, idempotency_key) WHERE idempotency_key IS NOT NULL",
            """
            CREATE TABLE delivery (
                id text COLLATE "C" PRIMARY KEY,
                event_id text COLLATE "C" NOT NULL REFERENCES event(id),
                subscription_id text COLLATE "C" NOT NULL,
                partner text COLLATE "C" NOT NULL,
                publisher text COLLATE "C" NOT NULL,
                channel text COLLATE "C" NOT NULL,
                target text COLLATE "C" NOT NULL,
                status text COLLATE "C" NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                last_error text COLLATE "C",
                next_attempt_at bigint,
                lease_owner text COLLATE "C",
                lease_expires_at bigint,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL,
                content text COLLATE "C" NOT NULL DEFAULT 'full',
                rule text COLLATE "C"
            )
            """,
            "CREATE INDEX delivery_event ON delivery(event_id, id)",
            "CREATE INDEX delivery_due ON delivery(channel, next_attempt_at, target) WHERE status IN ('pending', 'failed')",
            "CREATE INDEX delivery_lease ON delivery(lease_expires_at) WHERE status = 'sending'",
            "CREATE INDEX delivery_status ON delivery(status, id)",
            "CREATE INDEX delivery_subscription ON delivery(subscription_id) WHERE status IN ('pending', 'failed')",
            """
            CREATE TABLE attempt (
                delivery_id text COLLATE "C" NOT NULL,
                number integer NOT NULL,
                started_at bigint NOT NULL,
                finished_at bigint NOT NULL,
                status text COLLATE "C" NOT NULL,
                response_code integer,
                error text COLLATE "C",
                PRIMARY KEY (delivery_id, number)
            )
            """,
            """
            CREATE TABLE receipt (
                delivery_id text COLLATE "C" NOT NULL,
                code integer NOT NULL,
                detail text COLLATE "C",
                received_at bigint NOT NULL,
                PRIMARY KEY (delivery_id, code)
            )
            """,
            "CREATE TABLE secret (name text COLLATE \"C\" PRIMARY KEY, value text COLLATE \"C\" NOT NULL)",
            """
            CREATE TABLE audit (
                sequence bigint PRIMARY KEY,
                at bigint NOT NULL,
                partner text COLLATE "C" NOT NULL,
                actor text COLLATE "C" NOT NULL,
                action text COLLATE "C" NOT NULL,
                object text COLLATE "C" NOT NULL,
                detail text COLLATE "C",
                previous_hash text COLLATE "C" NOT NULL,
                hash text COLLATE "C" NOT NULL
            )
            """,
            // The trail is append-only for every writer that goes through the database; the hash
            // chain shows what someone with superuser rights changed anyway.
            """
            CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$
            """,
            "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
            """
            CREATE TABLE signed_request (
                key_id text COLLATE "C" NOT NULL,
                request_id text COLLATE "C" NOT NULL,
                signed_at bigint NOT NULL,
                PRIMARY KEY (key_id, request_id)
            )
            """,
            "CREATE INDEX signed_request_age ON signed_request(signed_at)",
            "CREATE TABLE write_probe (id integer PRIMARY KEY CHECK (id = 1), at bigint NOT NULL)",
            """
            CREATE TABLE user_account (
                id text COLLATE "C" PRIMARY KEY,
                partner text COLLATE "C" NOT NULL,
                login text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                roles text COLLATE "C" NOT NULL,
                cleared boolean NOT NULL,
                language text COLLATE "C" NOT NULL,
                password_hash text COLLATE "C" NOT NULL,
                totp_secret text COLLATE "C",
                totp_last_step bigint,
                created_at bigint NOT NULL,
                disabled_at bigint,
                last_sign_in_at bigint
            )
            """,
            // Logins are stored lowercase; the index keeps them unique even if a writer forgot to.
            "CREATE UNIQUE INDEX user_account_login ON user_account(lower(login))",
            "CREATE INDEX user_account_partner ON user_account(partner)",
            """
            CREATE TABLE console_session (
                id_hash text COLLATE "C" PRIMARY KEY,
                user_id text COLLATE "C",
                value bytea NOT NULL,
                created_at bigint NOT NULL,
                expires_at bigint NOT NULL
            )
            """,
            "CREATE INDEX console_session_user ON console_session(user_id) WHERE user_id IS NOT NULL",
            "CREATE INDEX console_session_expiry ON console_session(expires_at)",
            "CREATE TABLE sign_in_failure (subject text COLLATE \"C\" NOT NULL, at bigint NOT NULL)",
            "CREATE INDEX sign_in_failure_subject ON sign_in_failure(subject, at)",
            "CREATE INDEX sign_in_failure_age ON sign_in_failure(at)",
            """
            CREATE TABLE bulletin (
                id text COLLATE "C" PRIMARY KEY,
                status text COLLATE "C" NOT NULL,
                revision integer NOT NULL,
                updated_at bigint NOT NULL,
                document text COLLATE "C" NOT NULL
            )
            """,
            "CREATE INDEX bulletin_status ON bulletin(status, id)",
            // Triggers, not the store's methods, move the version that key caches check, so
            // `siko keys revoke`, another gateway and any later writer move it too.
            "CREATE TABLE credential_version (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)",
            "INSERT INTO credential_version (id, version) VALUES (1, 0)",
            """
            CREATE FUNCTION credential_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE credential_version SET version = version + 1 WHERE id = 1; RETURN NULL; END $$
            """,
            """
            CREATE TRIGGER api_key_changed AFTER UPDATE OF partner, hash, scopes, expires_at, revoked_at, signing_secret, user_id
            ON api_key FOR EACH STATEMENT EXECUTE FUNCTION credential_changed()
            """,
            "CREATE TRIGGER api_key_deleted AFTER DELETE ON api_key FOR EACH STATEMENT EXECUTE FUNCTION credential_changed()",
            """
            CREATE TRIGGER user_changed AFTER UPDATE OF partner, login, name, roles, cleared, language, disabled_at
            ON user_account FOR EACH STATEMENT EXECUTE FUNCTION credential_changed()
            """,
            "CREATE TRIGGER user_deleted AFTER DELETE ON user_account FOR EACH STATEMENT EXECUTE FUNCTION credential_changed()",
        ]),
        Migration(name: "v2: notices between gateways and the subscriptions' version", statements: [
            // Every change of what matching reads takes a fresh number, so the sum of the numbers
            // differs after any change (a count would miss an update, a maximum a late commit).
            "CREATE SEQUENCE subscription_version",
            "ALTER TABLE subscription ADD COLUMN version bigint NOT NULL DEFAULT nextval('subscription_version')",
            """
            CREATE FUNCTION subscription_versioned() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.version := nextval('subscription_version'); RETURN NEW; END $$
            """,
            """
            CREATE TRIGGER subscription_versioned BEFORE UPDATE OF partner, name, areas, topics, min_urgency, channel, target, language,
                secret, enabled, disabled_reason, deleted_at ON subscription FOR EACH ROW EXECUTE FUNCTION subscription_versioned()
            """,
            // Notices go out at commit, one per channel and payload however many rows changed.
            """
            CREATE FUNCTION notify_gateways() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('siko', TG_ARGV[0]); RETURN NULL; END $$
            """,
            """
            CREATE TRIGGER subscription_notice AFTER INSERT OR DELETE OR UPDATE OF partner, name, areas, topics, min_urgency, channel,
                target, language, secret, enabled, disabled_reason, deleted_at ON subscription
                FOR EACH STATEMENT EXECUTE FUNCTION notify_gateways('subscriptions')
            """,
            "CREATE TRIGGER delivery_notice AFTER INSERT ON delivery FOR EACH STATEMENT EXECUTE FUNCTION notify_gateways('deliveries')",
        ]),
        // A table of its own, read by nothing older: a gateway of the previous release runs on.
        Migration(name: "v3: the gateways on this database, with their configuration's fingerprints", statements: [
            """
            CREATE TABLE gateway_presence (
                id text COLLATE "C" PRIMARY KEY, host text COLLATE "C" NOT NULL, started_at bigint NOT NULL, seen_at bigint NOT NULL,
                rules text COLLATE "C" NOT NULL, channels text COLLATE "C" NOT NULL
            )
            """,
        ]),
        // Only read and written by gateways that know it: the previous release ignores the column
        // (its events are no originals to the new one) and runs on during a rolling upgrade.
        Migration(name: "v4: duplicates and flood limits over all gateways", statements: [
            "ALTER TABLE event ADD COLUMN fingerprint text COLLATE \"C\"",
            "CREATE INDEX event_fingerprint ON event(fingerprint, published_at) WHERE fingerprint IS NOT NULL",
            "CREATE INDEX delivery_sent_to ON delivery(channel, target, created_at) WHERE status <> 'suppressed'",
        ]),
        // Defaults that read as "an alert without translations": a gateway of the previous release
        // writes such events and runs on beside this one during a rolling upgrade.
        Migration(name: "v5: updates, cancellations and translations", statements: [
            "ALTER TABLE event ADD COLUMN message_type text COLLATE \"C\" NOT NULL DEFAULT 'alert'",
            "ALTER TABLE event ADD COLUMN refs text COLLATE \"C\" NOT NULL DEFAULT ''",
            "ALTER TABLE event ADD COLUMN original_id text COLLATE \"C\"",
            "ALTER TABLE event ADD COLUMN translations text COLLATE \"C\"",
            "CREATE INDEX event_original ON event(original_id, id) WHERE original_id IS NOT NULL",
        ]),
        // The default is what the previous release sends: its gateways ignore the column and run on
        // beside this one during a rolling upgrade, sending JSON to every webhook until replaced.
        // The triggers name their columns, so they are made again with `format`: a change of it
        // alone must still move the version and tell the other gateways.
        Migration(name: "v6: webhook payload format", statements: [
            "ALTER TABLE subscription ADD COLUMN format text COLLATE \"C\" NOT NULL DEFAULT 'json'",
            "DROP TRIGGER subscription_versioned ON subscription",
            """
            CREATE TRIGGER subscription_versioned BEFORE UPDATE OF partner, name, areas, topics, min_urgency, channel, target, language,
                format, secret, enabled, disabled_reason, deleted_at ON subscription FOR EACH ROW EXECUTE FUNCTION subscription_versioned()
            """,
            "DROP TRIGGER subscription_notice ON subscription",
            """
            CREATE TRIGGER subscription_notice AFTER INSERT OR DELETE OR UPDATE OF partner, name, areas, topics, min_urgency, channel,
                target, language, format, secret, enabled, disabled_reason, deleted_at ON subscription
                FOR EACH STATEMENT EXECUTE FUNCTION notify_gateways('subscriptions')
            """,
        ]),
    ]
}
