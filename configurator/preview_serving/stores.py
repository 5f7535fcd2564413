"""A preview store shared by every worker and machine, for running at scale."""

from __future__ import annotations

from redis import Redis

from ..preview.store import check_key

# Rendered images can always be drawn again: one unused for a month may go. Each read
# pushes its expiry back, so the images people look at stay.
REDIS_TTL_SECONDS = 30 * 24 * 3600
RECORD_SUFFIX = ".json"


class RedisStore:
    """Previews and their registry records in Redis under one key prefix.

    A record (``<hash>.json``: which product, version and choices a name stands for) is
    what lets an image be drawn again, so it is kept without expiry; images expire a
    month after their last read. Run Redis with ``maxmemory-policy volatile-lru`` (or
    ``volatile-ttl``) so that memory pressure evicts images, never records.
    """

    def __init__(self, url: str, prefix: str = "atelier:preview:") -> None:
        self.client = Redis.from_url(url)
        self.prefix = prefix

    def get(self, key: str) -> bytes | None:
        name = self.prefix + check_key(key)
        if key.endswith(RECORD_SUFFIX):
            data = self.client.getex(name, persist=True)  # records written with a TTL before
        else:
            data = self.client.getex(name, ex=REDIS_TTL_SECONDS)
        return data if isinstance(data, bytes) else None

    def put(self, key: str, data: bytes) -> None:
        name = self.prefix + check_key(key)
        if key.endswith(RECORD_SUFFIX):
            self.client.set(name, data)
        else:
            self.client.set(name, data, ex=REDIS_TTL_SECONDS)
