"""A fake Grafana Cloud k6 Tests REST API (v6) for tests: ``FakeK6Cloud``.

It serves every endpoint the client uses, in memory, on a real HTTP server on
``127.0.0.1``::

    from k6cloud_async.testing import Fault, FakeK6Cloud

    async with FakeK6Cloud() as fake:
        project = fake.add_project()
        test = fake.add_test(project, "smoke")
        fake.inject(Fault.status(503, retry_after=1), method="GET", times=2)
        ...  # a client on fake.base_url with fake.token and fake.stack_id
        fake.assert_all_faults_used()

With the library installed, pytest also gets the fixtures ``k6cloud_fake`` and
``k6cloud_client`` and the ``k6cloud_fake`` marker (see docs/testing.md).
"""

from ._clock import FakeClock
from ._fake import FakeK6Cloud
from ._faults import UNTIL_REMOVED, Fault, InjectedFault
from ._records import RecordedRequest
from ._runs import RunOutcome
from ._state import ScriptUpload

__all__ = [
    "UNTIL_REMOVED",
    "FakeClock",
    "FakeK6Cloud",
    "Fault",
    "InjectedFault",
    "RecordedRequest",
    "RunOutcome",
    "ScriptUpload",
]
