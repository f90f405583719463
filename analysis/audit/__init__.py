"""Consistency checks of the published numbers themselves."""
