"""Verifies a webhook the gateway sent with the independent PyPI `standardwebhooks` library.

Usage: verify_webhook.py REQUEST.json, where the file holds {"secret", "headers", "body"} with
the body base64-encoded. Exits 0 when the signature verifies and 3 when standardwebhooks rejects
it. Anything else (a missing library, a malformed file, a crash) exits 1 with a traceback, so a
broken check can never pass for a rejection.
"""
import base64
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

REJECTED = 3

with open(sys.argv[1], encoding="utf-8") as handle:
    request = json.load(handle)
try:
    Webhook(request["secret"]).verify(base64.b64decode(request["body"]), request["headers"])
except WebhookVerificationError as error:
    print(f"not verified: {error}")
    sys.exit(REJECTED)
print("verified")
