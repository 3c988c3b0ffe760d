"""Accounts: passwords, access and refresh tokens, login throttling, and their routes."""
