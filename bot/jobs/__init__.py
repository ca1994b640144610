"""Scheduled jobs: each a function of (instant, database), run once per period."""
