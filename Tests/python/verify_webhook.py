"""Verifies a webhook the gateway sent with the independent PyPI `standardwebhooks` library.

Usage: verify_webhook.py REQUEST.json, where the file holds {"secret", "headers", "body"} with
the body base64-encoded. Exits 0 when the signature verifies, 1 when it does not.
"""
import base64
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

with open(sys.argv[1], encoding="utf-8") as handle:
    request = json.load(handle)
try:
    Webhook(request["secret"]).verify(base64.b64decode(request["body"]), request["headers"])
except WebhookVerificationError as error:
    print(f"not verified: {error}")
    sys.exit(1)
print("verified")
