"""Django's PostgreSQL backend, whose connection pool probes only connections that sat idle.

Django can only give psycopg's pool a check that probes on every hand-out (CONN_HEALTH_CHECKS),
one more round trip per request; ``POOL_CHECK_AFTER`` in the database's settings (seconds)
sets this backend's check instead (see config.pool_check). Everything else is Django's.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db.backends.postgresql import base

from config.pool_check import CheckAfterIdle

# Per database alias and shared by every thread's wrapper, as the pool itself is.
_checks: dict[str, CheckAfterIdle] = {}


class DatabaseWrapper(base.DatabaseWrapper):
    def _idle_check(self) -> CheckAfterIdle | None:
        after = self.settings_dict.get("POOL_CHECK_AFTER")
        if after is None or self.pool is None:
            return None
        check = _checks.get(self.alias)
        if check is None or check.after != after:
            check = _checks[self.alias] = CheckAfterIdle(after)
        return check

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        check = self._idle_check()
        if check is None:
            return connection
        # Every failed probe hands a broken connection back for the pool to discard; once the
        # pool has been through as many as it can hold, the failure is the server's, not a
        # stale connection's, and it is raised.
        for attempt in range(self.pool.max_size + 1):
            try:
                check(connection)
            except psycopg.OperationalError:
                self.pool.putconn(connection)
                if attempt == self.pool.max_size:
                    raise
                connection = super().get_new_connection(conn_params)
            else:
                break
        return connection
