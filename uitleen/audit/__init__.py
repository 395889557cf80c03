"""The event log: who changed what, and when."""
