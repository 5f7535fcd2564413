"""Saved designs: a shopper's configuration pinned to a catalog version."""
