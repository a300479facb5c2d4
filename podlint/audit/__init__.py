"""``podlint audit``: lint what already runs in a cluster, with the engine and policies of lint.

Objects are listed through the Kubernetes API (``podlint[audit]``), judged one at a time like
admission requests, and reported in the lint formats or as PolicyReport objects.
"""
