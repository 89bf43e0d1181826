import SikoChannels
import SikoConfig
import SikoModel

extension SMSChannel {
    /// From the values of `Channels/sms.yaml` (already checked by `ChannelsLoader`), through Kannel.
    convenience init(
        options settings: ChannelSettings, allowPrivateTargets: [CIDR], templates: SMSTemplates, reference: ReferenceData, receiptToken: ReceiptToken
    ) {
        let options = settings.options
        let gateway = KannelGateway(settings: .init(
            url: options["url"] ?? "", user: options["user"] ?? "", password: options["password"] ?? "",
            from: options["from"] ?? "", timeout: settings.timeout,
            outbound: OutboundPolicy(allowed: allowPrivateTargets)
        ))
        self.init(
            settings: .init(
                maxSegments: options["maxSegments"].flatMap(Int.init) ?? 3, concurrency: settings.concurrency,
                ratePerSecond: options["ratePerSecond"].flatMap(Double.init), links: Links(publicURL: options["publicURL"] ?? Links.defaultPublicURL),
                receiptToken: receiptToken
            ),
            templates: templates, reference: reference, gateway: gateway
        )
    }
}
