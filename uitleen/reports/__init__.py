"""Dashboard figures, reports for funders, safe CSV and PDF, backup and restore."""
