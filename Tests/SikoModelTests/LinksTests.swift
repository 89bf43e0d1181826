import SikoModel
import Testing

@Suite("Links: the gateway's pages from its public URL")
struct LinksTests {
    @Test("a trailing slash on the public URL makes no double slash", arguments: ["https://siko.example", "https://siko.example/", "https://siko.example//"])
    func trailingSlash(_ publicURL: String) {
        let links = Links(publicURL: publicURL)
        #expect(links.event("evt_1") == "https://siko.example/meldungen/evt_1")
        #expect(links.subscription("sub_1") == "https://siko.example/v1/subscriptions/sub_1")
    }

    @Test("the SMS report URL carries the delivery, its token and the gateway's placeholders")
    func smsReport() {
        let links = Links(publicURL: "http://127.0.0.1:8080/")
        #expect(
            links.smsReport(delivery: "dlv_1", token: "abc", status: "%d", answer: "%A")
                == "http://127.0.0.1:8080/v1/callbacks/sms?delivery=dlv_1&token=abc&status=%d&answer=%A"
        )
    }
}
