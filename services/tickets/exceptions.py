"""Errors of the tickets service."""
