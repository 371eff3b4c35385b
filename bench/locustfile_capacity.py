"""The mixed load of bench/locustfile.py at full speed, spread over the web nodes, for
bench/capacity.py (see bench/README.md, "Capacity").

The same four visitors with the same weights and flows, with two changes:

- no think time (`constant(0)`): each virtual user sends its next request as soon as the
  last one is answered, so a handful of users keep the nodes busy and requests/s is what
  the nodes (and the machine) can serve, not what the users ask for;
- every request goes to the next node of BENCH_NODES in turn, as a round-robin load
  balancer without sticky sessions would send it: a survey or a logged-in session moves
  between nodes on every page. Origin and Referer follow the node, as the browser would
  see one address behind a real load balancer. Log-ins stay on the first node (--host):
  their redirects and second-factor form are followed in locustfile.py by hand.
"""

from __future__ import annotations

import os
from itertools import count

import locustfile as base
from locust import constant
from locustfile_surveys import _headers

NODES = [node.rstrip("/") for node in os.environ["BENCH_NODES"].split(",") if node]
_TURN = count()
_request = base.PortalUser._request
_log_in = base.PortalUser.log_in


def _request_on_the_next_node(self, method, path, name, *, expect, data=None):
    if path.startswith("/") and not getattr(self, "logging_in", False):
        node = NODES[next(_TURN) % len(NODES)]
        self.headers = _headers(node)
        path = node + path
    return _request(self, method, path, name, expect=expect, data=data)


def _log_in_on_the_first_node(self, email: str, password: str) -> None:
    self.logging_in = True
    self.headers = _headers(self.host)
    try:
        _log_in(self, email, password)
    finally:
        self.logging_in = False


base.PortalUser._request = _request_on_the_next_node
base.PortalUser.log_in = _log_in_on_the_first_node


# Names of their own: locust refuses two user classes of one name, and these (not the
# originals, which stay out of this module's namespace) are the ones it runs.
class FastLibraryVisitor(base.LibraryVisitor):
    wait_time = constant(0)


class FastRespondent(base.Respondent):
    wait_time = constant(0)


class FastAuditor(base.Auditor):
    wait_time = constant(0)


class FastStaff(base.Staff):
    wait_time = constant(0)
