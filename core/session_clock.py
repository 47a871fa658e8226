"""The staff session's clock: when it started and when it was last seen.

config.middleware.SessionLifetimeMiddleware ends a session after idle time
or an absolute lifetime, and writes the last-seen time at most every few
minutes (decision 0090). The clock starts at sign-in, in the session that
login() saves anyway, so the first page read after signing in writes
nothing either.
"""

import time

SESSION_STARTED = "_ecrin_session_started"
SESSION_LAST_SEEN = "_ecrin_session_last_seen"


def start_session_clock(sender, request, user, **kwargs):
    """user_logged_in receiver: the session's clock starts now."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = now
        request.session[SESSION_LAST_SEEN] = now
