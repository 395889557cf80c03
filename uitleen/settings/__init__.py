"""Organisation settings and locations, managed by coordinators."""
