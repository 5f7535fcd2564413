"""The shopper's cart: lines of configured products, re-checked at every view."""
