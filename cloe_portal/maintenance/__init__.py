"""Operations: backup and restore of the database and private uploads."""
