"""Polite, safe fetching: HTTP client, robots.txt, per-host pacing, address safety, encodings."""
