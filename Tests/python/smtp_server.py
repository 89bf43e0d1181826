"""A real SMTP server for the email tests (aiosmtpd), on 127.0.0.1.

Prints "READY <port>" once it accepts connections, then serves until stdin closes.
Every accepted message is parsed with Python's own MIME parser (email, policy=default) and written
to DIR as <n>.json: envelope, decoded headers, text and HTML parts, the longest raw line.
Recipients starting with "unknown" are refused with 550, with "later" with 451.
Each message names its SMTP session ("session": 1, 2, ... in order of the connections that
carried mail), so a test can tell one reused connection from one per message.
"""
import argparse
import json
import os
import socket
import ssl
import sys
import threading
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def visible(value):
    """Raw 8-bit header bytes (not RFC 2047) come back as surrogates: show them as \\xNN, so a test
    comparing against the intended text fails instead of the server crashing."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") if any(
            "\udc80" <= c <= "\udcff" for c in value) else value
    if isinstance(value, list):
        return [visible(v) for v in value]
    return value


class Handler:
    def __init__(self, directory, discard=False):
        self.directory = directory
        self.discard = discard
        self.count = 0
        self.sessions = 0
        self.lock = threading.Lock()

    def session_number(self, session):
        # aiosmtpd makes one Session per connection; numbered when it first carries mail.
        with self.lock:
            if not hasattr(session, "siko_number"):
                self.sessions += 1
                session.siko_number = self.sessions
            return session.siko_number

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("unknown"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local.startswith("later"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.discard:
            return "250 2.0.0 Ok: discarded"
        try:
            return self.store(server, session, envelope)
        except Exception as error:  # shown to the test through the SMTP reply and stderr
            print("handler error: %r" % error, file=sys.stderr, flush=True)
            return "554 5.6.0 test server could not parse the message: %s" % type(error).__name__

    def store(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        summary = {
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "from": str(message["from"]),
            "fromDisplayName": message["from"].addresses[0].display_name if message["from"] else None,
            "to": str(message["to"]),
            "messageId": str(message["message-id"]),
            "date": str(message["date"]),
            "deliveryId": str(message["x-siko-delivery-id"]),
            "contentType": message.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "longestLine": max(len(line) for line in raw.split(b"\r\n")) if raw else 0,
            # Headers must be 7-bit (RFC 2047 encoded words); raw UTF-8 there is a bug even if readable.
            "headers8bit": any(byte >= 0x80 for byte in raw.split(b"\r\n\r\n", 1)[0]),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "defects": [str(d) for d in message.defects],
            "session": self.session_number(session),
        }
        summary = {key: visible(value) for key, value in summary.items()}
        with self.lock:
            self.count += 1
            path = os.path.join(self.directory, "%06d.json" % self.count)
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(summary, handle, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Ok: queued"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert", help="PEM certificate for STARTTLS (or implicit TLS)")
    parser.add_argument("--key", help="PEM key for --cert")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--auth", help="user:password that AUTH accepts; then AUTH is required")
    parser.add_argument("--discard", action="store_true", help="accept and drop messages (benchmarks)")
    arguments = parser.parse_args()

    context = None
    if arguments.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(arguments.cert, arguments.key)

    options = {}
    if arguments.auth:
        user, password = arguments.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            # handled=False makes aiosmtpd answer 535 itself on failure.
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    if context is not None and not arguments.implicit_tls:
        options.update(tls_context=context, require_starttls=arguments.require_starttls)

    port = free_port()
    controller = Controller(
        Handler(arguments.dir, arguments.discard), hostname="127.0.0.1", port=port,
        ssl_context=context if arguments.implicit_tls else None, server_kwargs=options,
    )
    controller.start()
    print("READY %d" % port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
