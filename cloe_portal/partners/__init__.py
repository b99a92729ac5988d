"""The partner workspace: dashboard, candidate follow-up, exports, and the referents' view."""
