"""Who holds a lease: an owner id naming host and process, and whether that process lives.

Leases (source runs, outbox batches, queued jobs) name their holder as
``host:pid:random``. On the same host a dead pid frees the lease at once, so
a run killed with ``kill -9`` does not block the next one until it times out.
"""

from __future__ import annotations

import os
import socket
import uuid


def new_owner() -> str:
    """A fresh holder id for this process: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str) -> bool:
    """True when ``owner`` names a process of this host that no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    return host == socket.gethostname() and pid_text.isdigit() and not process_exists(
        int(pid_text))


def process_exists(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (always assumed where it cannot be probed)."""
    if os.name != "posix":
        return True  # no harmless probe elsewhere (os.kill would terminate): rely on the age
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True
