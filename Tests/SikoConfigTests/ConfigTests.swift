import SikoTestSupport
import Foundation
import SikoConfig
import SikoModel
import SikoChannels
import Testing

@Suite("Configuration files: the shipped ones load, bad ones name file, line and field")
struct ConfigTests {
    @Test("the shipped Rules/ hold the whole cooperation")
    func shippedRules() throws {
        let reference = try RulesLoader(directory: Repository.rules).load().reference
        let kinds = Dictionary(grouping: reference.areas.areas, by: \.kind).mapValues(\.count)
        #expect(kinds[.region] == 1)
        #expect(kinds[.regierungsbezirk] == 3)
        #expect(kinds[.kreisfreieStadt] == 11)
        #expect(kinds[.kreis] == 4)
        #expect(kinds[.gemeinde] == 42)
        #expect(reference.partners.count == 23)
        #expect(reference.partner("hspv-nrw")?.jurisdiction == [])
        #expect(reference.areas.area("muelheim-an-der-ruhr")?.name == "Mülheim an der Ruhr")
        #expect(reference.areas.lineage(of: "marl") == ["marl", "kreis-recklinghausen", "rb-muenster", "ruhr"])
        #expect(reference.topic("geldwaesche")?.name == "Geldwäsche")
    }

    @Test("the shipped Channels/ load with the default schedule")
    func shippedChannels() throws {
        let channels = try ChannelsLoader(directory: Repository.channels, environment: [:]).load()
        #expect(channels.webhook.retrySchedule == RetrySchedule.standard)
        #expect(channels.webhook.timeout == .seconds(10))
        #expect(channels.webhook.options.allowPrivateTargets.isEmpty)
        #expect(channels.email?.options.url == "smtp://127.0.0.1:25")
    }

    @Test("SIKO_WEBHOOK_ALLOW fills allowPrivateTargets")
    func webhookAllow() throws {
        let channels = try ChannelsLoader(directory: Repository.channels, environment: ["SIKO_WEBHOOK_ALLOW": "127.0.0.0/8, 10.0.0.0/8"]).load()
        #expect(channels.webhook.options.allowPrivateTargets.map(\.description) == ["127.0.0.0/8", "10.0.0.0/8"])
    }

    func rulesFolder(
        areas: String, topics: String = "topics:\n  - id: razzia\n    name: Razzia\n", partners: String = "partners: []\n", policies: String = ""
    ) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        _ = try folder.write("areas.yaml", areas)
        _ = try folder.write("topics.yaml", topics)
        _ = try folder.write("partners.yaml", partners)
        _ = try folder.write("policies.yaml", policies)
        return folder
    }

    func errors(_ folder: TemporaryDirectory) -> [ConfigError] {
        do {
            _ = try RulesLoader(directory: folder.path).load()
            return []
        } catch {
            return error.errors
        }
    }

    @Test("an unknown parent is reported with its line and field")
    func unknownParent() throws {
        let folder = try rulesFolder(areas: """
            areas:
              - id: ruhr
                name: Ruhrgebiet
                kind: region
              - id: essen
                name: Essen
                kind: kreisfreie-stadt
                parent: rb-nirgendwo
            """)
        defer { folder.remove() }
        let found = errors(folder)
        #expect(found.count == 1)
        let error = try #require(found.first)
        #expect(error.file.hasSuffix("areas.yaml"))
        #expect(error.line == 8)
        #expect(error.field == "areas[1].parent")
        #expect(error.description.hasSuffix("areas.yaml:8: areas[1].parent: unknown area 'rb-nirgendwo' (a parent must be listed before its children)"))
    }

    @Test("every error of every file at once: bad kind, duplicate id, typo'd field, unknown jurisdiction")
    func manyErrors() throws {
        let folder = try rulesFolder(
            areas: """
                areas:
                  - id: ruhr
                    name: Ruhrgebiet
                    kind: galaxy
                  - id: ruhr
                    name: Nochmal
                    kind: region
                    parnet: x
                """,
            partners: """
                partners:
                  - id: stadt-essen
                    name: Stadt Essen
                    jurisdiction: [essen]
                """
        )
        defer { folder.remove() }
        let found = errors(folder).map { "\(($0.file as NSString).lastPathComponent):\($0.line ?? 0): \($0.field)" }
        #expect(found.contains("areas.yaml:4: areas[0].kind"))
        #expect(found.contains("areas.yaml:5: areas[1].id"))
        #expect(found.contains("areas.yaml:8: areas[1].parnet"))
        #expect(found.contains("partners.yaml:4: partners[0].jurisdiction[0]"))
    }

    @Test("broken YAML names the line")
    func brokenYAML() throws {
        let folder = try rulesFolder(areas: "areas:\n  - id: ruhr\n    name: [unclosed\n")
        defer { folder.remove() }
        let error = try #require(errors(folder).first)
        #expect(error.file.hasSuffix("areas.yaml"))
        #expect(error.line != nil)
        #expect(error.message.hasPrefix("invalid YAML"))
    }

    @Test("a missing file is an error, not a crash")
    func missingFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        #expect(errors(folder).count == 4)
    }

    @Test("channel files: bad durations and concurrency name their field and line")
    func badChannelFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("webhook.yaml", """
            retrySchedule: ["0s", "5 minutes"]
            timeout: 0s
            concurrency: many
            allowPrivateTargets: "127.0.0.0/33"
            """)
        do {
            _ = try ChannelsLoader(directory: folder.path, environment: [:]).load()
            Issue.record("a bad channel file loaded")
        } catch {
            let found = error.errors.map { "\($0.line ?? 0): \($0.field)" }
            #expect(found == ["1: retrySchedule[1]", "2: timeout", "3: concurrency", "4: allowPrivateTargets[0]"])
        }
    }

    @Test("dnsTimeout: the shipped 2s, another duration, and a bad one named with its line")
    func dnsTimeout() throws {
        #expect(try ChannelsLoader(directory: Repository.channels, environment: [:]).load().webhook.options.dnsTimeout == .seconds(2))
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("webhook.yaml", "retrySchedule: [\"0s\"]\ntimeout: 5s\nconcurrency: 4\ndnsTimeout: 500ms\n")
        #expect(try ChannelsLoader(directory: folder.path, environment: [:]).load().webhook.options.dnsTimeout == .milliseconds(500))
        for (value, message) in [
            ("0s", "'0s' is not a duration from 1ms to 60s such as 2s"), ("2m", "'2m' is not a duration from 1ms to 60s such as 2s"),
            ("zwei", "'zwei' is not a duration from 1ms to 60s such as 2s"), ("[2s]", "must be a single value such as 2s"),
        ] {
            let path = try folder.write("webhook.yaml", "retrySchedule: [\"0s\"]\ntimeout: 5s\nconcurrency: 4\ndnsTimeout: \(value)\n")
            do {
                _ = try ChannelsLoader(directory: folder.path, environment: [:]).load()
                Issue.record("dnsTimeout \(value) loaded")
            } catch {
                #expect(error.description.contains("\(path):4: dnsTimeout: \(message)"), "\(error.description)")
            }
        }
    }

    @Test("${NAME} and ${NAME:-default} read the environment; a missing variable is an error")
    func environment() throws {
        let expander = EnvironmentExpander(environment: ["SIKO_SMTP_URL": "smtp://mail:25", "EMPTY": ""])
        #expect(try expander.expand("${SIKO_SMTP_URL}").get() == "smtp://mail:25")
        #expect(try expander.expand("x-${SIKO_SMTP_URL:-none}-y").get() == "x-smtp://mail:25-y")
        #expect(try expander.expand("${MISSING:-fallback}").get() == "fallback")
        #expect(try expander.expand("${EMPTY:-fallback}").get() == "fallback")
        #expect(try expander.expand("${MISSING:-}").get() == "")
        #expect((try? expander.expand("${MISSING}").get()) == nil)
        #expect((try? expander.expand("${UNCLOSED").get()) == nil)
    }
}

@Suite("email.yaml")
struct EmailConfigTests {
    @Test("bad email values name their line; unknown keys are typos")
    func badEmailFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("webhook.yaml", "retrySchedule: [\"0s\"]\ntimeout: 5s\nconcurrency: 4\n")
        _ = try folder.write("email.yaml", """
            url: http://mail.example:25
            starttls: maybe
            from: nobody
            ratePerSecond: fast
            sendr: x
            retrySchedule: ["0s"]
            timeout: 30s
            concurrency: 8
            """)
        do {
            _ = try ChannelsLoader(directory: folder.path, environment: [:]).load()
            Issue.record("a bad email.yaml loaded")
        } catch {
            let found = error.errors.map { "\($0.line ?? 0): \($0.field)" }.sorted()
            #expect(found == ["1: url", "2: starttls", "3: from", "4: ratePerSecond", "5: sendr"])
        }
    }

    @Test("a template without its parts is refused with the file named")
    func brokenTemplate() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("email.de.mustache", "Betreff {{title}}\n--- html ---\n<p>{{title}}</p>\n")
        _ = try folder.write("email.en.mustache", "Subject\n--- text ---\n{{#unclosed}}\n--- html ---\n<p/>\n")
        #expect(throws: TemplateError.self) { try EmailTemplates.load(directory: folder.path) }
        do {
            _ = try EmailTemplates.load(directory: folder.path)
        } catch {
            #expect(error.file.hasSuffix("email.de.mustache"))
            #expect(error.message.contains("--- text ---"))
        }
        _ = try folder.write("email.de.mustache", "Betreff\n--- text ---\nText\n--- html ---\n<p/>\n")
        do {
            _ = try EmailTemplates.load(directory: folder.path)
            Issue.record("an unclosed section loaded")
        } catch {
            #expect(error.file.hasSuffix("email.en.mustache"))
            #expect(error.line == 3, "the first line of the broken part")
        }
    }
}
