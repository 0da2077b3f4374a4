"""Paying artists out: payout channels (sandbox, WeChat Pay 商家转账, bank-transfer batch) and the execution of an
approved Payout row through one of them."""
