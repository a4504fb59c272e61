"""The signed-in member of a request, read with a query built once.

Every request of a signed-in member reads their row (``request.user``).
Django's ``ModelBackend.get_user`` builds that query with the ORM each time:
about 1,500 Python calls for one primary-key lookup, as many as the rest of
a bare request. Here the same query, with the same columns and conversions,
is compiled once per database connection and only executed per request
(about 170 calls); what happens around it is Django's ``auth.get_user``,
unchanged: the backend named in the session must still be configured, an
inactive member gets no user (``user_can_authenticate``), and the session's
hash must match the password's, so a password change ends every other
session at its next request, as before.

The row is read from the database every request, never from a cache:
keeping it in Redis saves no time measured here (reading a copy costs as
much as this query), and a copy would have to be dropped on every write
of a member, ``QuerySet.update`` and the admin included, for a session not
to outlive a password change.
"""

from weakref import WeakKeyDictionary

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

# A connection's compiled member query: (sql, field names, compiler,
# converters). Connections are per thread; their entries go with them.
_compiled: WeakKeyDictionary = WeakKeyDictionary()


def _member_query(using: str):
    connection = connections[using]
    found = _compiled.get(connection)
    if found is not None:
        return found
    model = get_user_model()
    names = [field.attname for field in model._meta.concrete_fields]
    queryset = model._default_manager.db_manager(using).filter(pk=0)
    compiler = queryset.values_list(*names).query.get_compiler(using)
    sql, params = compiler.as_sql()
    if list(params) != [0]:  # pragma: no cover (a manager that filters)
        raise ValueError("the member query takes more than the primary key")
    columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
    found = (sql, names, compiler, compiler.get_converters(columns))
    _compiled[connection] = found
    return found


def member_read(user_id):
    """The member whose primary key is ``user_id`` as
    ``Member._default_manager.get(pk=user_id)`` returns them, or None."""
    model = get_user_model()
    using = router.db_for_read(model)
    sql, names, compiler, converters = _member_query(using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        (row,) = compiler.apply_converters([row], converters)
    return model.from_db(using, names, row)


def _backend_user(backend, user_id):
    """``backend.get_user(user_id)``, with the query built once when the
    backend reads the row as ``ModelBackend`` does."""
    if type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    member = member_read(user_id)
    if member is None or not backend.user_can_authenticate(member):
        return None
    return member


def get_user(request):
    """Django's ``auth.get_user`` (django/contrib/auth/__init__.py), with
    the row read by ``_backend_user``."""
    user = None
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _backend_user(backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(
                        session_hash, session_auth_hash
                    )
                if not session_hash_verified:
                    # A session signed with a fallback secret is moved to
                    # the current one; any other ends here.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with ``request.user`` read by ``get_user`` above
    (``request.auser``, for async code, stays Django's)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))
