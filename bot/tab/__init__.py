"""The leaders' tab: pages and a JSON API over the same feature services, signed in with Teams SSO."""
