"""Writes that span rows, take locks, send mail or notify: one module per
domain process (members, communities, threads, moderation)."""
