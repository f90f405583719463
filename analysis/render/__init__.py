"""Rendering engines: quarto when on PATH, builtin otherwise."""
