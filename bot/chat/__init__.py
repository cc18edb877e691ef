"""The host-neutral chat port: turns, replies, the route table and private delivery; no SDK."""
