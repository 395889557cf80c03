"""Donated devices: intake, wiping, software, quality checks, and their life cycle."""
