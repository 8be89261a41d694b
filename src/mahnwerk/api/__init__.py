"""The REST API (thin handlers over services)."""
