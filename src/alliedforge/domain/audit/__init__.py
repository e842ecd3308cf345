"""The tamper-evident audit log: every write, hash-chained."""
