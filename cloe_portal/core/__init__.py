"""Shared building blocks: column types, access control, htmx helpers, navigation."""
