"""Synthesis of reference cohorts calibrated to the published aggregates."""
