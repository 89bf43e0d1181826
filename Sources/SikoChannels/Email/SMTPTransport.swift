import CCurl
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import SikoModel

/// How the transport reaches the server: what email.yaml says, and the bounds of one exchange.
struct SMTPSettings: Sendable {
    var options: EmailOptions
    var timeout: Duration
    var connectTimeout: Duration = .seconds(10)
    /// Keep connections open across messages (the default); off opens one per message.
    var reuseConnections = true
}

/// The answer of one SMTP transaction: libcurl's result, the server's last reply code and the
/// server's own line for it.
struct SMTPResult: Sendable {
    var curlCode: Int
    var replyCode: Int
    var reply: String
    var error: String

    /// Picks the server's line for `code` from all its replies: after a refusal libcurl still
    /// says QUIT, so the very last reply is usually "221 Bye".
    init(curlCode: Int, replyCode: Int, replies: [String], error: String) {
        self.init(curlCode: curlCode, replyCode: replyCode, reply: replies.last { $0.hasPrefix(String(replyCode)) } ?? replies.last ?? "", error: error)
    }

    init(curlCode: Int, replyCode: Int, reply: String, error: String) {
        self.curlCode = curlCode
        self.replyCode = replyCode
        self.reply = reply
        self.error = error
    }

    var succeeded: Bool { curlCode == Int(CURLE_OK.rawValue) }
    var loginDenied: Bool { curlCode == Int(CURLE_LOGIN_DENIED.rawValue) }
}

/// One libcurl easy handle: it keeps its SMTP connection open between messages. Used by one
/// thread at a time (the transport hands it out from a pool).
final class SMTPConnection: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init?() {
        SMTPConnection.initializeOnce
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    private static let initializeOnce: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// State the C callbacks reach through their context pointer.
    private final class Transfer {
        let message: [UInt8]
        var offset = 0
        var replies: [String] = []

        init(message: [UInt8]) { self.message = message }
    }

    func send(from: String, to: String, message: [UInt8], settings: SMTPSettings) -> SMTPResult {
        let transfer = Transfer(message: message)
        let context = Unmanaged.passRetained(transfer)
        defer { context.release() }
        let recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            siko_curl_set_string(handle, CURLOPT_URL, settings.options.url)
            siko_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            siko_curl_set_long(handle, CURLOPT_UPLOAD, 1)
            siko_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(from)>")
            siko_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipients)
            siko_curl_set_long(handle, CURLOPT_INFILESIZE, message.count)
            siko_curl_set_read_function(handle, { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                let length = min(size * count, transfer.message.count - transfer.offset)
                transfer.message.withUnsafeBytes { bytes in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + transfer.offset, byteCount: length)
                }
                transfer.offset += length
                return length
            })
            siko_curl_set_pointer(handle, CURLOPT_READDATA, context.toOpaque())
            // The debug callback sees the server's replies, so a failure can name the server's own words.
            siko_curl_set_long(handle, CURLOPT_VERBOSE, 1)
            siko_curl_set_debug_function(handle, { _, type, data, size, context in
                guard type == CURLINFO_HEADER_IN, let data, let context else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
                transfer.replies.append(line.trimmingCharacters(in: .whitespacesAndNewlines))
                return 0
            })
            siko_curl_set_pointer(handle, CURLOPT_DEBUGDATA, context.toOpaque())
            siko_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            siko_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeout.milliseconds))
            siko_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout.milliseconds))
            siko_curl_set_long(handle, CURLOPT_FORBID_REUSE, settings.reuseConnections ? 0 : 1)
            let tls: curl_usessl = switch settings.options.startTLS {
            case .required: CURLUSESSL_ALL
            case .opportunistic: CURLUSESSL_TRY
            case .off: CURLUSESSL_NONE
            }
            siko_curl_set_long(handle, CURLOPT_USE_SSL, Int(tls.rawValue))
            if let caFile = settings.options.caFile { siko_curl_set_string(handle, CURLOPT_CAINFO, caFile) }
            if let user = settings.options.user, !user.isEmpty {
                siko_curl_set_string(handle, CURLOPT_USERNAME, user)
                siko_curl_set_string(handle, CURLOPT_PASSWORD, settings.options.password ?? "")
            }
            return curl_easy_perform(handle)
        }
        var replyCode = 0
        siko_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &replyCode)
        // Nothing of this message may linger in the handle between sends.
        siko_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        siko_curl_set_list(handle, CURLOPT_MAIL_RCPT, nil)
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return SMTPResult(
            curlCode: Int(code.rawValue), replyCode: replyCode, replies: transfer.replies,
            error: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        )
    }
}

/// Sends messages over a pool of reusable connections. libcurl blocks, so every send runs on
/// this transport's own threads, never on the event loops or the concurrency pool.
final class SMTPTransport: Sendable {
    private let settings: SMTPSettings
    private let threads: NIOThreadPool
    private let idle = NIOLockedValueBox<[SMTPConnection]>([])

    init(settings: SMTPSettings, concurrency: Int) {
        self.settings = settings
        threads = NIOThreadPool(numberOfThreads: max(1, concurrency))
        threads.start()
    }

    func send(from: String, to: String, message: [UInt8]) async -> SMTPResult {
        do {
            return try await threads.runIfActive { [settings, idle] in
                guard let connection = idle.withLockedValue({ $0.popLast() }) ?? SMTPConnection() else {
                    return SMTPResult(curlCode: -1, replyCode: 0, reply: "", error: "libcurl could not create a handle")
                }
                let result = connection.send(from: from, to: to, message: message, settings: settings)
                if settings.reuseConnections { idle.withLockedValue { $0.append(connection) } }
                return result
            }
        } catch {
            return SMTPResult(curlCode: -1, replyCode: 0, reply: "", error: "the email channel is shutting down")
        }
    }

    func shutdown() async throws {
        try await threads.shutdownGracefully()
        idle.withLockedValue { $0.removeAll() }
    }
}
