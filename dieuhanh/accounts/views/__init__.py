"""Accounts pages: login and logout, password change, audit log, API tokens, users."""
