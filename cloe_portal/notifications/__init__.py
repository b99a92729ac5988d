"""Email: one mail service, an outbox of every message, and the scheduled notifications."""
