"""Quickstart: create a load test from a script, list, start, and stream the script back.

Runs against FakeK6Cloud, the in-process fake of the API that ships with the library, so
it needs no Grafana Cloud account. Point K6CloudClient at the real API by dropping
``base_url=`` and passing your own token and stack id (or setting K6_CLOUD_TOKEN and
K6_CLOUD_STACK_ID).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

SCRIPT = """\
import http from 'k6/http';
import { sleep } from 'k6';

export const options = { vus: 10, duration: '30s' };

export default function () {
  http.get('https://test.k6.io');
  sleep(1);
}
"""


async def main() -> None:
    async with FakeK6Cloud() as fake:
        project_id = fake.add_project("Default project")
        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            test = await client.load_tests.create(project_id, "Orders API Soak Test", SCRIPT)
            print(f"created test {test.id} {test.name!r} in project {test.project_id}")

            await client.load_tests.update(test.id, name="Orders API Soak Test v2")
            async for listed in client.load_tests.list(project_id=project_id):
                print(f"listed test {listed.id} {listed.name!r}")

            cost = await client.load_tests.validate_options({"vus": 10, "duration": "30s"})
            print(f"validated options: {cost.vuh_usage} VUH")

            run = await client.load_tests.start(test.id)
            print(f"started run {run.id}: {run.status}")

            with tempfile.TemporaryDirectory() as directory:
                target = Path(directory) / "script.js"
                async with client.load_tests.download_script(test.id) as download:
                    size = await download.save(target)
                    print(f"downloaded {size} bytes of {download.content_type}")
                assert target.read_text() == SCRIPT
                print("the script came back byte for byte")


if __name__ == "__main__":
    asyncio.run(main())
