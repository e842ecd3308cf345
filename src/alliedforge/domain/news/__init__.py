"""News: the agency's press room."""
