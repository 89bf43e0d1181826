import Foundation
import SikoConfig
import SikoModel
import SikoTestSupport
import Testing

/// Each channel's own values come out of the loader typed, with their defaults, and a bad one is
/// reported like every other configuration error: file, line and field.
@Suite("Channel options: typed by the loader")
struct ChannelOptionsConfigTests {
    let webhook = "retrySchedule: [\"0s\"]\ntimeout: 5s\nconcurrency: 4\n"

    func errors(_ directory: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try ChannelsLoader(directory: directory, environment: environment).load()
            return []
        } catch {
            return error.errors.map { "\(($0.file as NSString).lastPathComponent):\($0.line ?? 0): \($0.field): \($0.message)" }
        }
    }

    @Test("the shipped files give typed values with their defaults")
    func shipped() throws {
        let channels = try ChannelsLoader(directory: Repository.channels, environment: [:]).load()
        let email = try #require(channels.email?.options)
        #expect(email == EmailOptions(url: "smtp://127.0.0.1:25", from: Mailbox(name: "SiKo Ruhr", address: "alarm@siko-ruhr.invalid")))
        #expect(email.startTLS == .required && email.user == nil && email.ratePerSecond == nil)
        #expect(email.links.base == Links.defaultPublicURL)
        let sms = try #require(channels.sms?.options)
        #expect(sms == SMSOptions(url: "http://127.0.0.1:13013/cgi-bin/sendsms", from: "SiKoRuhr"))
        #expect(sms.maxSegments == 3 && sms.allowPrivateTargets == OutboundPolicy.loopback && sms.user.isEmpty)
        #expect(channels.webhook.options == WebhookOptions())
    }

    @Test("values from the environment: rate, public URL, STARTTLS, credentials")
    func fromEnvironment() throws {
        let channels = try ChannelsLoader(directory: Repository.channels, environment: [
            "SIKO_SMTP_RATE": "2.5", "SIKO_SMS_RATE": "0", "SIKO_PUBLIC_URL": "https://siko.example/", "SIKO_SMTP_STARTTLS": "off",
            "SIKO_SMTP_USER": "relay", "SIKO_SMTP_PASSWORD": "geheim", "SIKO_SMS_USER": "kannel",
        ]).load()
        let email = try #require(channels.email?.options)
        #expect(email.ratePerSecond == 2.5 && email.startTLS == .off && email.user == "relay" && email.password == "geheim")
        #expect(email.links.event("evt_1") == "https://siko.example/meldungen/evt_1")
        let sms = try #require(channels.sms?.options)
        #expect(sms.ratePerSecond == nil, "0 is no limit")
        #expect(sms.user == "kannel" && sms.links == email.links)
    }

    @Test("a bad STARTTLS mode from the environment names the shipped file's line and field")
    func badStartTLS() {
        #expect(errors(Repository.channels, environment: ["SIKO_SMTP_STARTTLS": "sometimes"]) == [
            "email.yaml:5: starttls: 'sometimes' must be required, opportunistic or off",
        ])
    }

    @Test("bad sms.yaml values name their line and field")
    func badSMSFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("webhook.yaml", webhook)
        _ = try folder.write("sms.yaml", """
            url: ftp://kannel.example/sendsms
            from: ""
            maxSegments: viele
            ratePerSecond: -1
            allowPrivateTargets: "10.0.0.0/99"
            retrySchedule: ["0s"]
            timeout: 15s
            concurrency: 4
            """)
        #expect(errors(folder.path).sorted() == [
            "sms.yaml:1: url: 'ftp://kannel.example/sendsms' must be the gateway's http(s) sendsms URL",
            "sms.yaml:2: from: is required (the sender name or number)",
            "sms.yaml:3: maxSegments: 'viele' must be a whole number from 1 to 10",
            "sms.yaml:4: ratePerSecond: '-1' must be a number of messages per second (0 for no limit)",
            "sms.yaml:5: allowPrivateTargets[0]: '10.0.0.0/99' is not a CIDR such as 127.0.0.0/8",
        ])
    }

    @Test("an unreadable caFile in webhook.yaml names its line and field")
    func badCAFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("webhook.yaml", webhook + "caFile: /nonexistent/ca.pem\n")
        #expect(errors(folder.path) == ["webhook.yaml:4: caFile: '/nonexistent/ca.pem' is not a readable PEM file"])
        let pem = try folder.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        _ = try folder.write("webhook.yaml", webhook + "caFile: \(pem)\n")
        #expect(try ChannelsLoader(directory: folder.path, environment: [:]).load().webhook.options.caFile == pem)
    }

    @Test("a sender the loader cannot parse as a mailbox is refused with its line, not later by the channel")
    func unclosedMailbox() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        _ = try folder.write("webhook.yaml", webhook)
        _ = try folder.write("email.yaml", "url: smtp://mail.example:25\nfrom: SiKo <alarm@siko.example\nretrySchedule: [\"0s\"]\ntimeout: 30s\nconcurrency: 8\n")
        #expect(errors(folder.path) == ["email.yaml:2: from: 'SiKo <alarm@siko.example' is not an address such as SiKo Ruhr <alarm@example.org>"])
    }
}
