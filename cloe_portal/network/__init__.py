"""The CEL network: centres, referents, followed partners, and the staff home pages."""
