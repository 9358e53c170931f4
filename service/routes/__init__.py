"""Thin HTTP routes: parse, check the role, call ``service.usecases``, shape
the response."""
