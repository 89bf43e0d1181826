import SikoTestSupport
import Foundation
import SikoChannels
import Testing

@Suite("Standard Webhooks signatures")
struct SigningTests {
    @Test("the published Standard Webhooks test vector")
    func knownVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("any change of id, time or body changes the signature")
    func tamperShows() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 1}"#.utf8)
        let original = signer.signature(id: "dlv_1", timestamp: 100, body: body)
        #expect(signer.signature(id: "dlv_2", timestamp: 100, body: body) != original)
        #expect(signer.signature(id: "dlv_1", timestamp: 101, body: body) != original)
        #expect(signer.signature(id: "dlv_1", timestamp: 100, body: Array(#"{"test": 2}"#.utf8)) != original)
    }

    @Test("new secrets are whsec_ with 32 random bytes, and unique")
    func newSecrets() throws {
        let secret = WebhookSigner.makeSecret()
        #expect(secret.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
        #expect(secret != WebhookSigner.makeSecret())
        _ = try WebhookSigner(secret: secret)
    }

    @Test("malformed secrets are refused", arguments: ["", "whsec_", "whsec_not-base64!", "sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ="])
    func malformed(_ secret: String) {
        #expect(throws: WebhookSigner.SecretError.malformed) { try WebhookSigner(secret: secret) }
    }
}
