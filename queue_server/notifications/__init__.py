"""Text messages to visitors who gave a phone number and consented: joined, turn near, called,
missed, finished, cancelled; written to an outbox in the same transaction as the change that
caused them, delivered after commit by a worker, through the office's gateway.

`rules` is pure (which message, which words, still worth sending?); `outbox` writes and claims
rows; `gateways` speak to SMS/WhatsApp providers; `worker` delivers with retries.
"""
