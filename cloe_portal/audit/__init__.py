"""Audit log: who did what, when, on which object, and why."""
