"""An https receiver for the pinning tests (plain http without --cert): listens on one address,
answers every POST with 204, closes the connection after each request (so every delivery makes a
new connection), and prints one JSON line per request: the address it listened on, the SNI name,
the Host header and the path."""
import argparse
import http.server
import json
import ssl
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--bind", required=True)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--cert")
parser.add_argument("--key")
arguments = parser.parse_args()

seen_sni = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        print(json.dumps({"bind": arguments.bind, "sni": getattr(self.connection, "sni", None),
                          "host": self.headers.get("host"), "path": self.path}), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def remember_sni(connection, name, _context):
    connection.sni = name


server = http.server.HTTPServer((arguments.bind, arguments.port), Handler)
if arguments.cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(arguments.cert, arguments.key)
    context.sni_callback = remember_sni
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", server.server_address[1], flush=True)
server.serve_forever()
