"""Thin HTTP routes: parse, check the role, call ``service.usecases.rounds``, shape
the response."""
