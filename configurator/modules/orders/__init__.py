"""Orders and payment: orders paid exactly once, through Stripe."""
