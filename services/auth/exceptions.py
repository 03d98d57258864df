"""Errors of the auth service."""
