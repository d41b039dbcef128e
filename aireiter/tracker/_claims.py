"""Who holds a job: owner names and how a claim is judged alive.

A tracker run that works on a journal's jobs *claims* them: each job it holds carries its
``owner`` (``host:pid:token``) and a ``lease_until`` (Unix time). The run renews its leases
(a heartbeat) while it lives and releases them when it stops. Another run may take a job over
only when its claim is void: no owner, the lease ran out, or the owner is a process on this
host that no longer exists (so a resume right after a crash does not wait for the lease).
A job's submit is sent only while its claim is held: the SUBMITTING write is made on the
condition that the row's owner is still this run.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Final

__all__ = ["DEFAULT_LEASE_S", "claim_is_void", "new_owner", "owner_is_dead"]

DEFAULT_LEASE_S: Final = 60.0
"""How long a claim holds without a heartbeat (renewed every third of it)."""

_HOST: Final = socket.gethostname()


def new_owner() -> str:
    """A fresh owner name for one tracker run on this host: ``host:pid:token``."""
    return f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """True when ``owner`` names a process of this host that no longer runs. An owner of
    another host (or a name this SDK did not write) is never judged dead here."""
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return False


def claim_is_void(owner: str | None, lease_until: float, *, me: str, now: float) -> bool:
    """True when a job held by ``owner`` until ``lease_until`` may be claimed by ``me``."""
    return owner is None or owner == me or lease_until < now or owner_is_dead(owner)
