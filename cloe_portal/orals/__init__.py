"""Orals: assessor availability, the candidate's booking calendar, the assessor's scoring form."""
