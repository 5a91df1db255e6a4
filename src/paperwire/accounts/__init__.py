"""Accounts: users, passwords, sessions, API tokens, emailed links and rate limits."""
