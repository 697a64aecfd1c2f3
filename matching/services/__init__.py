"""Every write of the matching app, one module per part of the flow.

Import from the module that owns the use case: ``matching.services.programs`` (programmes and
applications), ``matching.services.rounds`` (starting and running rounds),
``matching.services.proposals`` (publishing, answers, deadlines and reminders: it re-exports
``publishing``, ``deadlines`` and ``transitions``), ``matching.services.feedback``,
``matching.services.retention``, ``matching.services.deletion`` (an account's matching data)."""
