"""Sessions read from the cache, kept in the database (SESSION_ENGINE).

Every request a member makes reads their session; Django's database store
costs a query each time. This store is Django's ``cached_db`` made fit for
Moim:

- The cache holds the session under a digest of its key, never the key
  itself (a bearer secret), as community.usersessions does.
- The cache is optional for reading and writing (community.caching): while
  it is down a session is read from and written to the database only, and
  pages keep answering.
- Ending a session (signing out, "sign out" on the devices page, leaving
  Moim) must hold at the next request of that session. ``delete`` first
  writes a tombstone for the key (its own cache entry, next to the copy)
  and refuses (raises ``SessionNotEnded``, a 503 that says the member is
  still signed in) when the cache cannot be reached, so that nothing is
  changed rather than a database row gone while its copy still answers;
  then the row; then, once the row's deletion is committed, the tombstone
  once more. ``load`` and ``exists`` read the copy and the tombstone in one
  round trip, and a tombstone means no session: a request of that session
  that read the row, or saved it, just before the deletion and stores its
  copy after it (whenever that lands) does not bring the session back. A
  copy lives at most ``CACHE_SECONDS``, a tombstone twice that.

Without REDIS_URL (development, tests) the cache is each process's own
memory: a session ended in one process (the task worker, say) is seen by
another's copy within ``CACHE_SECONDS`` at worst. Production runs with
Redis (docs/deploy.md), shared by every process.
"""

from hashlib import sha256

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.db import transaction

from community.caching import CACHE_UNAVAILABLE, optional

KEY_PREFIX = "session:"
# A cached copy lives at most this long; then it is read from the database
# again.
CACHE_SECONDS = 600
# An ended session's tombstone outlives any copy stored before or just after
# the ending.
REVOKED_SECONDS = 2 * CACHE_SECONDS
REVOKED = "revoked"


class SessionNotEnded(ConnectionError):
    """The cache is unavailable, so a session was not ended (and nothing
    was changed): RedisUnavailableMiddleware answers 503 telling the member
    they are still signed in."""


def cache_key_for(session_key: str) -> str:
    return KEY_PREFIX + sha256(session_key.encode()).hexdigest()[:40]


def revoked_key_for(session_key: str) -> str:
    return cache_key_for(session_key) + ":revoked"


class SessionStore(CachedDBStore):
    cache_key_prefix = KEY_PREFIX

    @property
    def cache_key(self):
        return cache_key_for(self._get_or_create_session_key())

    async def acache_key(self):
        return cache_key_for(await self._aget_or_create_session_key())

    def _cached(self, session_key):
        """The cached copy of ``session_key``'s data, REVOKED if the session
        was ended, or None (none kept, or the cache unavailable)."""
        key, revoked = cache_key_for(session_key), revoked_key_for(session_key)
        found = optional(
            lambda: self._cache.get_many([key, revoked]), what="session read"
        )
        if not found:
            return None
        if revoked in found:
            return REVOKED
        return found.get(key)

    def load(self):
        key = self.cache_key
        data = self._cached(self.session_key)
        if data == REVOKED:
            # As the database store does for a missing row: a change made
            # now is saved under a new key, never this one.
            self._session_key = None
            return {}
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        seconds = min(CACHE_SECONDS, self.get_expiry_age(expiry=row.expire_date))
        optional(lambda: self._cache.add(key, data, seconds), what="session copy")
        return data

    async def aload(self):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.load)()

    def exists(self, session_key):
        if not session_key:
            return False
        data = self._cached(session_key)
        if data == REVOKED:
            return False
        if data is not None:
            return True
        return super(CachedDBStore, self).exists(session_key)

    async def aexists(self, session_key):
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.exists)(session_key)

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        key, data = self.cache_key, self._session
        seconds = min(CACHE_SECONDS, self.get_expiry_age())
        optional(lambda: self._cache.set(key, data, seconds), what="session write")

    async def asave(self, must_create=False):
        from asgiref.sync import sync_to_async

        await sync_to_async(self.save)(must_create)

    def delete(self, session_key=None, *, strict=True):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        revoked = revoked_key_for(session_key)

        def bury():
            self._cache.set(revoked, REVOKED, REVOKED_SECONDS)
            self._cache.delete(cache_key_for(session_key))

        if strict:
            # While the cache is unavailable the session is left whole, not
            # half ended (a row gone while its copy still answers), and the
            # member is told they are still signed in (docs/deploy.md).
            try:
                bury()
            except CACHE_UNAVAILABLE as error:
                raise SessionNotEnded("session not ended: cache unavailable") from error
        else:
            optional(bury, what="session delete")
        super(CachedDBStore, self).delete(session_key)
        # Once more when the row's deletion is committed: a tombstone
        # written then outlives any copy a request stores after it.
        transaction.on_commit(lambda: optional(bury, what="session delete"))

    def cycle_key(self):
        """Django's, but the old key's copy (the same browser's, which
        moves to the new key) is dropped as optional work: signing in does
        not fail because the cache is away."""
        data, old = self._session, self.session_key
        self.create()
        self._session_cache = data
        if old:
            self.delete(old, strict=False)

    async def acycle_key(self):
        from asgiref.sync import sync_to_async

        await sync_to_async(self.cycle_key)()

    async def adelete(self, session_key=None):
        from asgiref.sync import sync_to_async

        await sync_to_async(self.delete)(session_key)
