"""Check functions, one module per family. Each is pure: (view, ctx) -> findings."""
