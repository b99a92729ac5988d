"""Assessors and their accreditation per language (seed §4.5)."""
