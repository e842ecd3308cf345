"""The service layer, one package per domain concept (models, schemas, repository, service)."""
