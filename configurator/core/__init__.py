"""Core: the plumbing every module uses (database, transactions, errors, security, config)."""
