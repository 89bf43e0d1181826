#!/usr/bin/env bash
# Schemathesis against a live gateway: docs/openapi.yaml's examples and generated requests at
# every operation; any 5xx or any answer its operation does not describe fails the run.
#
# The gateway runs in a private network namespace with loopback alone, so no webhook, email or
# SMS target the fuzzer invents is ever contacted: a name does not resolve and every address
# outside 127.0.0.0/8 is unreachable.
#
# Usage: Tests/schemathesis/run.sh (as root, from anywhere; `make test` calls it)
#   SCHEMATHESIS      the schemathesis executable (default: .venv/bin/schemathesis)
#   SIKO_BINARY       the gateway (default: .build/debug/siko)
#   MAX_EXAMPLES      generated cases per operation in the fuzzing phase (default: 300)
#   SEED              the generator's seed, fixed so that a run repeats (default: 20261124)
#   REPORT_DIR        keep the configuration and a VCR cassette of every request there
#
# Checks, and why the others are left out:
#   not_a_server_error, status_code_conformance, content_type_conformance,
#   response_headers_conformance, response_schema_conformance: every answer is one the
#     operation documents, with its schema, media type and headers.
#   negative_data_rejection: what the schema forbids is refused (4xx).
#   positive_data_acceptance: what the schema allows is accepted; in the fuzzing phase a 422 is
#     allowed where validity depends on data no schema states (see the configuration below).
#   ignored_auth: every /v1 operation refuses a request without a key.
#   Left out: missing_required_header, unsupported_method, allow_header_conformance (only the
#   coverage phase runs them, which is not run here), use_after_free, ensure_resource_availability
#   (stateful phase only), object_level_authorization (tenancy has its own Swift suite with a
#   key per partner), max_response_time (no timed assertions in tests).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if [[ -z "${SIKO_SCHEMATHESIS_NETNS:-}" ]]; then
    for tool in unshare ip curl jq timeout; do
        command -v "$tool" >/dev/null || { echo "schemathesis: '$tool' is missing (util-linux, iproute2, curl, jq, coreutils)" >&2; exit 1; }
    done
    exec unshare --net env SIKO_SCHEMATHESIS_NETNS=1 bash "${BASH_SOURCE[0]}" "$@"
fi

schemathesis=${SCHEMATHESIS:-$root/.venv/bin/schemathesis}
siko=${SIKO_BINARY:-$root/.build/debug/siko}
max_examples=${MAX_EXAMPLES:-300}
seed=${SEED:-20261124}
# The namespace is this run's own, so a fixed port collides with nothing.
port=18080
base=http://127.0.0.1:$port

[[ -x "$schemathesis" ]] || { echo "schemathesis: $schemathesis is missing (make .venv/ready)" >&2; exit 1; }
[[ -x "$siko" ]] || { echo "schemathesis: $siko is missing (swift build)" >&2; exit 1; }

ip link set lo up

work=$(mktemp -d)
server=""
stop() {
    if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || true
    fi
    rm -rf "$work"
}
trap stop EXIT

data=$work/data
key() { "$siko" keys create --data "$data" --partner "$1" "${@:2}"; }
# A system's key of the Geschäftsstelle: it publishes directly only with events:publish-direct.
# One key serves the whole run, and a person's key never carries events:publish-direct, so this
# one belongs to no person: bulletin writes answer their documented 403 person-required here; the
# bulletins' way through the API is in the Swift suites and the console's browser tests.
admin=$(key geschaeftsstelle --scope events:publish --scope events:publish-direct --scope subscriptions:manage \
    --scope deliveries:read --scope bulletins:send --scope bulletins:approve --scope admin)
# A second key, so that revoking a real key (DELETE /v1/keys/{id}) does not lock the run out.
spare=$(key stadt-essen --scope deliveries:read)

# No per-key or per-address limits: the fuzzer would otherwise test mostly 429s. Loopback
# targets are allowed so that generated http://127.x webhooks are accepted, then refused at
# connect (nothing listens), like any target that is down.
SIKO_WEBHOOK_ALLOW=127.0.0.0/8 SIKO_LOG_LEVEL=warning \
    "$siko" serve --data "$data" --port "$port" --rate-limit 0 --unknown-key-rate 0 \
    --drain-timeout 1s >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -fsS "$base/ready" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "$base/ready" >/dev/null

api() {
    curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' "$@"
}
# Real objects, so that operations on an id reach more than 404; DELETE gets its own.
subscription() {
    api "$base/v1/subscriptions" -d '{"name": "Lagedienst", "areas": ["essen"], "minUrgency": "low",
        "channel": "webhook", "target": "http://127.0.0.1:9/hooks/siko"}' | jq -r .id
}
kept=$(subscription)
doomed=$(subscription)
event=$(api "$base/v1/events" -d '{"topic": "razzia", "urgency": "high", "areas": ["essen"],
    "title": "Großkontrolle Altendorfer Straße"}' | jq -r .id)
# The event's deliveries, as a page ({"deliveries": […]}) or, before paging, a bare array.
delivery=$(api "$base/v1/events/$event/deliveries" | jq -r '(.deliveries // .)[0].id')
# Its own event for cancelling, so the update's examples still find the first one open.
cancelled=$(api "$base/v1/events" -d '{"topic": "razzia", "urgency": "high", "areas": ["essen"],
    "title": "Kontrolle Segerothstraße"}' | jq -r .id)
spare_id=$(cut -d_ -f1-2 <<<"$spare")
for id in "$kept" "$doomed" "$event" "$cancelled" "$delivery" "$spare_id"; do
    [[ "$id" =~ ^[a-z]+_[0-9a-z]+$ ]] || { echo "schemathesis: seeding failed ($id)" >&2; exit 1; }
done

operation() { printf '[[operations]]\ninclude-name = %s\nparameters = { "path.id" = "%s" }\n\n' "$1" "$2"; }
{
    operation '["GET /v1/events/{id}", "GET /v1/events/{id}/deliveries", "POST /v1/events/{id}/update"]' "$event"
    operation '["POST /v1/events/{id}/cancel"]' "$cancelled"
    operation '["GET /v1/deliveries/{id}", "POST /v1/deliveries/{id}/retry"]' "$delivery"
    operation '["GET /v1/subscriptions/{id}", "PATCH /v1/subscriptions/{id}", "POST /v1/subscriptions/{id}/test"]' "$kept"
    operation '["DELETE /v1/subscriptions/{id}"]' "$doomed"
    operation '["DELETE /v1/keys/{id}"]' "$spare_id"
    # Whether these bodies are valid also depends on what no schema can say: ids that exist in
    # Rules/ (areas, topics, partners), times still ahead, a target the outbound guard permits,
    # the subscription's current channel. Generated bodies that pass the schema may therefore be
    # refused with 422; the examples phase still requires every documented example to pass. A
    # test notification answers 409 once a generated PATCH has disabled the subscription; an
    # update answers 409 once a generated cancellation of its chain went through. A CAP body is
    # XML that no schema describes: what schemathesis makes of a string there is refused (422).
    cat <<'TOML'
[[operations]]
include-name = ["POST /v1/events", "POST /v1/explain", "POST /v1/subscriptions", "PATCH /v1/subscriptions/{id}", "POST /v1/keys", "POST /v1/bulletins", "PUT /v1/bulletins/{id}", "POST /v1/bulletins/{id}/approve", "POST /v1/bulletins/{id}/reject", "POST /v1/subscriptions/{id}/test", "POST /v1/events/{id}/update", "POST /v1/events/{id}/cancel", "POST /v1/bulletins/{id}/update", "POST /v1/bulletins/{id}/cancel"]
phases.fuzzing.checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[cache]
enabled = false
TOML
    # Mostly real ids of Rules/ in generated bodies, so that many of them get past validation
    # and reach matching, storing and sending.
    cat <<TOML

[dictionaries]
areas = { values = $(api "$base/v1/areas" | jq -c '[.areas[] | .id, (.ags // empty)]') }
topics = { values = $(api "$base/v1/topics" | jq -c '[.topics[].id]') }
partners = { values = $(sed -n 's/^  - id: //p' Rules/partners.yaml | jq -Rsc 'split("\n") | map(select(. != ""))') }

[parameters]
"body.areas[*]" = { dictionary = "areas", probability = 0.9 }
"body.topics[*]" = { dictionary = "topics", probability = 0.9 }
"body.topic" = { dictionary = "topics", probability = 0.9 }
"body.partner" = { dictionary = "partners", probability = 0.9 }
TOML
} >"$work/schemathesis.toml"

report=()
if [[ -n "${REPORT_DIR:-}" ]]; then
    mkdir -p "$REPORT_DIR"
    cp "$work/schemathesis.toml" "$REPORT_DIR/"
    report=(--report vcr --report-dir "$REPORT_DIR")
fi
started=$SECONDS
status=0
# Hypothesis keeps its caches in the run's folder, not in the checkout.
HYPOTHESIS_STORAGE_DIRECTORY=$work/hypothesis timeout 900 "$schemathesis" --config-file "$work/schemathesis.toml" run "$root/docs/openapi.yaml" \
    --url "$base" -H "Authorization: Bearer $admin" \
    --phases examples,fuzzing --max-examples "$max_examples" --seed "$seed" \
    --workers 1 --generation-database none --no-color --continue-on-failure \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,positive_data_acceptance,ignored_auth \
    "${report[@]}" || status=$?
echo "schemathesis: $((SECONDS - started))s, exit $status"
if [[ $status -ne 0 ]]; then
    echo "--- gateway log (last 40 lines)" >&2
    tail -40 "$work/serve.log" >&2
fi
exit "$status"
