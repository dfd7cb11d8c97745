"""Periodic crawl jobs: schedules, runs and their records, alerts."""
