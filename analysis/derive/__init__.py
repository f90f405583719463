"""Derived variables: BASE, CHG, PCHG, responder and category flags."""
