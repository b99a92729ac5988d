"""Follow-up audits of accredited partners (seed 000 §4.1): due dates, the grid, the outcome."""
