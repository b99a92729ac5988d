"""Appeals against published results (contestation): filing, the referent's decisions, the
second assessor's blind re-marking, and the dashboard."""
