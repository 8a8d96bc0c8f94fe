"""Application services: use cases that orchestrate domain code and adapters.

Actions stay thin (parse trigger args, call a service, return a dict); services take their
adapters as arguments, so tests hand them real PostgreSQL / S3 adapters on loopback.
"""
