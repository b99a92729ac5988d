"""The jury: review queue, per-candidate decisions, the session's procès-verbal."""
