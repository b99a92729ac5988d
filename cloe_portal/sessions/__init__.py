"""Partner sessions and candidate registrations (enrolments)."""
