"""Throttling per token (settings.REST_FRAMEWORK « DEFAULT_THROTTLE_RATES »: « jeton »), counted in the
shared cache (Redis) so that every web process counts the same requests; 429 with Retry-After."""

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle


class DebitParJeton(SimpleRateThrottle):
    scope = "jeton"

    @property
    def cache(self):
        return caches["api"]

    def get_cache_key(self, request, view):
        jeton = request.auth
        if jeton is None:
            return None
        # The fingerprint's start too: a token id reused by another database (tests) starts afresh.
        return self.cache_format % {"scope": self.scope, "ident": f"{jeton.pk}-{jeton.empreinte[:12]}"}
