"""Accommodations for disabled candidates (seed §3.7): the referent's queue and decisions."""
