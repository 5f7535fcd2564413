"""A preview store shared by every worker and machine, for running at scale."""

from __future__ import annotations

from redis import Redis
from redis.exceptions import RedisError

from configurator.domain.rendering.store import RECORD_SUFFIX, Expiry, StoreUnavailable, check_key

SOCKET_TIMEOUT_SECONDS = 2.0  # a Redis that does not answer: the preview waits, not the page


class RedisStore:
    """Previews and their registry records in Redis under one key prefix.

    Keys expire (``EX``) after their lifetime in ``expiry``, pushed back by each read;
    pinned records have no expiry and reads leave them so (``EXPIRE ... XX``, Redis 7).
    Run Redis with ``maxmemory-policy volatile-lru`` (or ``volatile-ttl``) so that
    memory pressure evicts what can be made again, never a pinned record.
    """

    def __init__(
        self, url: str, prefix: str = "atelier:preview:", expiry: Expiry | None = None
    ) -> None:
        self.client = Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        )
        self.prefix = prefix
        self.expiry = expiry or Expiry()

    def get(self, key: str) -> bytes | None:
        name = self.prefix + check_key(key)
        lifetime = round(self.expiry.of(key))
        try:
            if key.endswith(RECORD_SUFFIX):
                pipe = self.client.pipeline(transaction=False)
                pipe.get(name)
                pipe.expire(name, lifetime, xx=True)
                data = pipe.execute()[0]
            else:
                data = self.client.getex(name, ex=lifetime)
        except RedisError as error:
            raise StoreUnavailable(f"Redis: {error}") from error
        return data if isinstance(data, bytes) else None

    def put(self, key: str, data: bytes, *, pinned: bool = False) -> None:
        name = self.prefix + check_key(key)
        try:
            if pinned:
                self.client.set(name, data)
            elif key.endswith(RECORD_SUFFIX):
                # A record's bytes follow from its name: never replace one (it may be pinned).
                self.client.set(name, data, ex=round(self.expiry.of(key)), nx=True)
            else:
                self.client.set(name, data, ex=round(self.expiry.of(key)))
        except RedisError as error:
            raise StoreUnavailable(f"Redis: {error}") from error
