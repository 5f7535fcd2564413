"""Reactions that run upward: a lower layer sends, an upper one connects a receiver.

A module never imports the web layer or a module above it; when something it does must
cause something there, it sends one of these and the composition root (or the upper
package) connects the receiver.
"""

from __future__ import annotations

from blinker import Namespace

atelier_signals = Namespace()

# Sent by modules.orders once an order is paid (sender: the order's id).
order_paid = atelier_signals.signal("order-paid")
# Sent when a shopper signs in to an account (sender: the shopper's id), for the
# accounts to come: the cart and designs of the anonymous session follow the account.
shopper_signed_in = atelier_signals.signal("shopper-signed-in")
