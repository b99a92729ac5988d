"""Problems reported by a partner to its CEL referent (seed 000 §2.2), and their replies."""
