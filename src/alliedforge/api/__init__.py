"""The HTTP service: FastAPI over the domain services, one router per concept."""
