"""podlint: a Kubernetes Pod linter and admission policy engine."""

__version__ = "0.1.0"
