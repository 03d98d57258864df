"""Errors of the catalog service."""
