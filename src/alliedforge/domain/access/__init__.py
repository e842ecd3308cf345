"""Who may see and change what: callers, roles, security labels."""
