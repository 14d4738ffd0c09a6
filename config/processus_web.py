"""What a web process does once Django is loaded, before it serves anything (config/wsgi.py; the
benchmarks do the same so that they measure the process production runs)."""

import gc

from django.urls import get_resolver


def preparer():
    """Import every view now, then move what start-up allocated (about 180,000 objects: Django, the apps,
    the URL patterns) out of the garbage collector's reach. Otherwise a full collection walks them all in
    the middle of some request: on a manager's caseload of 900 rows, p95 280 ms for a median of 110."""
    get_resolver().url_patterns  # noqa: B018 (the property imports the URLconf and every view module)
    gc.freeze()
