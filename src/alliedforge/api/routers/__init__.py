"""One router per concept of the record."""
