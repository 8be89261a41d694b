"""Outbound channels (e-mail, SMS, letters, phone tasks), each behind a small port."""
