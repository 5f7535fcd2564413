"""Previews kept and served: content-addressed keys, stores, drawn once."""
