"""Payments: gateway adapters (a sandbox one is the embedded default), orders, the callback inbox, refunds."""
