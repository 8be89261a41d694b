"""Accounts, API keys, registration, webhooks and the demo installation."""
