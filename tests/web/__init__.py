"""Tests through the HTTP edge."""
