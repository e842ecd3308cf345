"""Open Contracting IDs: a publisher's registered prefix joined to the process's own id.

The prefix (`ocds-` and six lower-case letters or digits) is issued by the Open
Contracting Partnership to one publisher; a deployment that publishes registers its
own and configures it, so that its ocids never collide with anyone else's.
"""

from __future__ import annotations

import re

PREFIX = re.compile(r"ocds-[a-z0-9]{6}")


def ocid(prefix: str, local_id: str) -> str:
    """The ocid `{prefix}-{local_id}`, e.g. `ocds-a1b2c3-framework-12`."""
    if not PREFIX.fullmatch(prefix):
        raise ValueError(f"{prefix!r} is not an ocid prefix: 'ocds-' and six of [a-z0-9]")
    # Release ids and linked-release URLs append to the ocid after '#'-free text.
    if not local_id or "#" in local_id or local_id != local_id.strip():
        raise ValueError(f"{local_id!r} cannot end an ocid: it needs text, no '#', no padding")
    return f"{prefix}-{local_id}"
