"""Reads that shape queries for community pages, one module per domain
(mirroring community.services). Every list runs a fixed number of queries
whatever its length (tests pin them at two sizes)."""
