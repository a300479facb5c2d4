"""Kubernetes API knowledge shared by the schema and api-* checks: formats, quantities, schemas."""
