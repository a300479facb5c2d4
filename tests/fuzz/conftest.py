"""The fuzzing tier: hypothesis properties over the engine, the formatters and review().

``python -m pytest --tier fuzz`` runs them with the CI budget (``.ci/run``); a longer run
before a release: ``PODLINT_FUZZ_PROFILE=release python -m pytest --tier fuzz``. A failure
hypothesis finds is kept as an ``@example`` on its property, so it is replayed every run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Examples per property: ci keeps the whole tier to a few minutes on a loaded 2-core machine.
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
settings.register_profile(
    "release",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("PODLINT_FUZZ_PROFILE", "ci"))
