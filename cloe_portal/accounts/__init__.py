"""Accounts: users, organisations, login, password setting and reset."""
