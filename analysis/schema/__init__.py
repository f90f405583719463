"""The data contract and its validation."""
