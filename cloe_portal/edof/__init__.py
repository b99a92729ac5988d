"""Monthly EDOF extracts: uploads, their rows matched to registrations, taux de réalisation."""
