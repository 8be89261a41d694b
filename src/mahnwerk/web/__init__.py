"""Server-rendered pages for agents, creditors and debtors."""
