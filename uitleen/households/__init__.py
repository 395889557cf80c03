"""Households: the least personal data that works, and the waiting list."""
