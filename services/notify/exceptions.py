"""Errors of the notify service."""
