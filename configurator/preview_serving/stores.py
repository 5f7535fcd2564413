"""A preview store shared by every worker and machine, for running at scale."""

from __future__ import annotations

from redis import Redis

from ..preview.store import check_key

# Rendered previews are immutable; a month unused is long enough to keep one.
REDIS_TTL_SECONDS = 30 * 24 * 3600


class RedisStore:
    """Previews (and their registry records) in Redis under one key prefix."""

    def __init__(self, url: str, prefix: str = "atelier:preview:") -> None:
        self.client = Redis.from_url(url)
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        data = self.client.get(self.prefix + check_key(key))
        return data if isinstance(data, bytes) else None

    def put(self, key: str, data: bytes) -> None:
        self.client.set(self.prefix + check_key(key), data, ex=REDIS_TTL_SECONDS)
