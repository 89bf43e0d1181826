#!/usr/bin/env python3
"""The two outside processes of `siko-bench peer`: a webhook receiver and a load client.

One workload, two servers: the gateway (`POST /v1/events`) and Prometheus Alertmanager
(`POST /api/v2/alerts`). Each event carries the marker `peer#<n>#` (the gateway's title, an
Alertmanager label), so the receiver can tell which event a webhook belongs to, whichever server
sent it. Both processes use CLOCK_MONOTONIC, which is one clock for the whole machine, so an
arrival time minus a send time is an end-to-end latency.

    peer.py receiver                      prints "port N", then serves POST /hook
    peer.py alertmanager-config URL       prints Alertmanager's configuration for the workload
    peer.py load --server gateway|alertmanager --url URL --receiver URL --pid PID [...]
                                          prints one JSON line with the measurements
"""
import argparse
import asyncio
import json
import os
import random
import sys
import time
from urllib.parse import urlsplit

CITIES = ["bochum", "dortmund", "hagen", "hamm", "herne", "duisburg", "essen",
          "muelheim-an-der-ruhr", "oberhausen", "bottrop"]
MARKER = b"peer#"


def use_fast_loop():
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass


# --- receiver -------------------------------------------------------------------------------

def receiver(args):
    from aiohttp import web

    arrivals = []  # (event number, monotonic ns)
    unmarked = [0]

    async def hook(request):
        body = await request.read()
        now = time.monotonic_ns()
        start = body.find(MARKER)
        if start < 0:
            unmarked[0] += 1
        else:
            start += len(MARKER)
            end = body.find(b"#", start)
            arrivals.append((int(body[start:end]), now))
        return web.Response(status=200)

    async def count(_):
        return web.Response(text=str(len(arrivals) + unmarked[0]))

    async def dump(_):
        return web.json_response({"arrivals": arrivals, "unmarked": unmarked[0]})

    async def reset(_):
        arrivals.clear()
        unmarked[0] = 0
        return web.Response(status=204)

    async def announce():
        for site in runner.sites:
            port = site._server.sockets[0].getsockname()[1]
            print(f"port {port}", flush=True)

    app = web.Application(client_max_size=4 << 20)
    app.add_routes([web.post("/hook", hook), web.get("/count", count), web.get("/arrivals", dump),
                    web.post("/reset", reset)])
    runner = web.AppRunner(app, access_log=None)

    async def main():
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
        await announce()
        await asyncio.Event().wait()

    use_fast_loop()
    asyncio.run(main())


# --- Alertmanager's side of the workload ---------------------------------------------------

def alertmanager_config(receiver):
    """The same routing as the gateway's subscriptions: every alert is its own group and goes out
    at once; the urgent route continues, so a critical alert also goes to its city's route."""
    routes = "\n".join(f"    - matchers: ['city=\"{city}\"']\n      receiver: hook" for city in CITIES)
    return f"""route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['urgency="critical"']
      receiver: hook
      continue: true
{routes}
receivers:
  - name: hook
    webhook_configs:
      - url: {receiver}
        send_resolved: false
"""


# --- load client ----------------------------------------------------------------------------

class Connection:
    """One keep-alive HTTP/1.1 connection; one request at a time, as a browser or curl would."""

    def __init__(self, reader, writer, host):
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, url):
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer, parts.netloc)

    async def request(self, method, path, body=b"", headers=()):
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        head.extend(headers)
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            payload = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                payload += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
            return status, payload
        return status, await self.reader.readexactly(int(fields.get("content-length", "0")))

    def close(self):
        self.writer.close()


class Server:
    """How each server takes an event: the request and the answer that means accepted."""

    def __init__(self, kind, key):
        self.kind, self.key = kind, key

    def request(self, n, event):
        city, topic, urgency = event
        if self.kind == "gateway":
            body = json.dumps({
                "externalId": f"peer-{n}", "topic": topic, "urgency": urgency, "areas": [city],
                "title": f"Lage peer#{n}# in {city}", "body": "Lastvergleich mit Alertmanager",
            }).encode()
            return "/v1/events", body, ("Content-Type: application/json", f"Authorization: Bearer {self.key}"), 202
        body = json.dumps([{
            "labels": {"alertname": "lage", "n": f"peer#{n}#", "city": city, "topic": topic, "urgency": urgency},
            "annotations": {"title": f"Lage in {city}", "body": "Lastvergleich mit Alertmanager"},
        }]).encode()
        return "/api/v2/alerts", body, ("Content-Type: application/json",), 200


def workload(count, topics, seed):
    """Events in the 10 cities, a random topic, a quarter critical; and the webhooks each makes
    (its city's subscription, plus the `ruhr` one when critical)."""
    rng = random.Random(seed)
    events = []
    for _ in range(count):
        urgency = "critical" if rng.random() < 0.25 else rng.choice(["low", "medium", "high"])
        events.append((rng.choice(CITIES), rng.choice(topics), urgency))
    return events


def webhooks_of(events):
    return sum(2 if urgency == "critical" else 1 for _, _, urgency in events)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def post_all(url, server, events, first, connections):
    """Posts events[i] as number first+i from `connections` connections; answers send times,
    the time of the last answer and the failures."""
    sent = [0] * len(events)
    failures = []
    next_index = iter(range(len(events)))
    last = [0]

    async def worker():
        connection = await Connection.open(url)
        try:
            for index in next_index:
                path, body, headers, accepted = server.request(first + index, events[index])
                sent[index] = time.monotonic_ns()
                status, answer = await connection.request("POST", path, body, headers)
                last[0] = max(last[0], time.monotonic_ns())
                if status != accepted:
                    failures.append(f"{status} {answer[:200]!r}")
        finally:
            connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return sent, last[0], failures


async def receiver_call(receiver, method, path):
    connection = await Connection.open(receiver)
    try:
        return await connection.request(method, path)
    finally:
        connection.close()


async def wait_for_webhooks(receiver, expected, timeout):
    deadline = time.monotonic() + timeout
    while True:
        _, body = await receiver_call(receiver, "GET", "/count")
        if int(body) >= expected or time.monotonic() > deadline:
            return int(body)
        await asyncio.sleep(0.02)


async def subscribe(url, key, receiver):
    connection = await Connection.open(url)
    subscriptions = [{"name": f"Lage {city}", "areas": [city], "minUrgency": "low"} for city in CITIES]
    subscriptions.append({"name": "Ruhr kritisch", "areas": ["ruhr"], "minUrgency": "critical"})
    try:
        for subscription in subscriptions:
            subscription.update(channel="webhook", target=receiver + "/hook")
            status, answer = await connection.request(
                "POST", "/v1/subscriptions", json.dumps(subscription).encode(),
                ("Content-Type: application/json", f"Authorization: Bearer {key}"))
            if status != 201:
                raise SystemExit(f"subscribing answered {status}: {answer[:300]!r}")
    finally:
        connection.close()


async def load(args):
    server = Server(args.server, args.key)
    if args.server == "gateway":
        await subscribe(args.url, args.key, args.receiver)
    topics = args.topics.split(",")
    warmup = workload(args.warmup, topics, args.seed + 1)
    events = workload(args.events, topics, args.seed)

    _, _, failures = await post_all(args.url, server, warmup, 0, args.connections)
    if failures:
        raise SystemExit(f"warm-up: {len(failures)} refused, first: {failures[0]}")
    await wait_for_webhooks(args.receiver, webhooks_of(warmup), 60)
    await asyncio.sleep(0.5)
    await receiver_call(args.receiver, "POST", "/reset")

    cpu_before = cpu_seconds(args.pid)
    first = args.warmup
    sent, last_answer, failures = await post_all(args.url, server, events, first, args.connections)
    expected = webhooks_of(events)
    arrived = await wait_for_webhooks(args.receiver, expected, args.timeout)
    cpu_after = cpu_seconds(args.pid)

    _, body = await receiver_call(args.receiver, "GET", "/arrivals")
    dump = json.loads(body)
    start = min(sent)
    latencies = sorted((at - sent[n - first]) / 1e6 for n, at in dump["arrivals"] if n >= first)
    last_arrival = max((at for _, at in dump["arrivals"]), default=start)

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(round((len(latencies) - 1) * p)))] if latencies else float("nan")

    print(json.dumps({
        "events": len(events), "refused": len(failures), "first_refusal": failures[0] if failures else None,
        "expected_webhooks": expected, "webhooks": arrived, "unmarked": dump["unmarked"],
        "events_per_s": (len(events) - len(failures)) / ((last_answer - start) / 1e9),
        "webhooks_per_s": len(latencies) / ((last_arrival - start) / 1e9),
        "cpu_s": cpu_after - cpu_before,
        "p50_ms": percentile(0.5), "p99_ms": percentile(0.99),
    }), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("receiver")
    config = commands.add_parser("alertmanager-config")
    config.add_argument("receiver", help="the receiver's URL")
    client = commands.add_parser("load")
    client.add_argument("--server", choices=["gateway", "alertmanager"], required=True)
    client.add_argument("--url", required=True)
    client.add_argument("--receiver", required=True)
    client.add_argument("--pid", type=int, required=True, help="the server's process, whose CPU time is measured")
    client.add_argument("--key", default="", help="the gateway's API key")
    client.add_argument("--topics", required=True, help="comma-separated topic ids")
    client.add_argument("--events", type=int, default=3000)
    client.add_argument("--warmup", type=int, default=200)
    client.add_argument("--connections", type=int, default=16)
    client.add_argument("--seed", type=int, default=15)
    client.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.command == "receiver":
        receiver(args)
    elif args.command == "alertmanager-config":
        print(alertmanager_config(args.receiver), end="")
    else:
        use_fast_loop()
        asyncio.run(load(args))


if __name__ == "__main__":
    sys.exit(main())
