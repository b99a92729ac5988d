"""Results: attestations, certificates, the tamper-evident ledger, verification, exports."""
