"""Daily reconciliation: each gateway's bill of a day against our payment orders, refunds and ledger."""
