"""Modules: the business capabilities, each with its models and services."""
