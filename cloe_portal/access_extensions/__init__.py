"""Extending a registration's access (seed 004): the partner asks, the referent decides."""
