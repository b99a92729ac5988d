"""Item bank: the items of the adaptive written test, their content files and audio."""
