"""The REST API (thin handlers over services): ``create_app(runtime)`` builds the app."""

from mahnwerk.api.app import create_app

__all__ = ["create_app"]
