"""One settings package: ``base`` holds everything, the others only override.

- ``local``: the embedded default for ``make run`` (SQLite, tasks in-process
  unless ``CELERY_BROKER_URL`` is set).
- ``test``: PostgreSQL and the real Redis broker, as CI runs them.
- ``production``: secrets required from the environment, hardened cookies.
"""
