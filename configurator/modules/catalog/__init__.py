"""Stored products and their published catalog versions."""
