"""Promotions: who is eligible at the end of a quarter, and HR confirming a promotion."""
