"""The workflow ``k6cloud demo`` walks through, with the library against FakeK6Cloud."""

from __future__ import annotations

import io
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Final, TextIO

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud

from ._samples import add_samples

__all__ = ["build_archive", "demo"]

SAMPLE_TESTS: Final = 24
PAGE_SIZE: Final = 10

CHECKOUT_JS: Final = """\
import http from 'k6/http';
import { check, sleep } from 'k6';

export const options = { vus: 10, duration: '1m', thresholds: { http_req_failed: ['rate<0.01'] } };

export default function () {
  const res = http.get('https://quickpizza.grafana.com');
  check(res, { 'status is 200': (r) => r.status === 200 });
  sleep(1);
}
"""

ARCHIVE_FILES: Final = {
    "main.js": """\
import { SharedArray } from 'k6/data';
import { browse } from './lib/browse.js';

const users = new SharedArray('users', () => JSON.parse(open('./data/users.json')));

export const options = { vus: 5, duration: '30s' };

export default function () {
  browse(users[__VU % users.length]);
}
""",
    "lib/browse.js": """\
import http from 'k6/http';

export function browse(user) {
  http.get(`https://quickpizza.grafana.com/?user=${user.name}`);
}
""",
    "data/users.json": '[{"name": "ada"}, {"name": "grace"}, {"name": "linus"}]\n',
}


def build_archive(directory: Path) -> Path:
    """A multi-file ``.tar`` (a main script, a module, a data file), as ``k6 archive`` ships."""
    path = directory / "checkout-bundle.tar"
    with tarfile.open(path, "w") as archive:
        for name, text in ARCHIVE_FILES.items():
            data = text.encode()
            member = tarfile.TarInfo(name)
            member.size = len(data)
            member.mtime = int(time.time())
            archive.addfile(member, io.BytesIO(data))
    return path


class _Steps:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._number = 0
        self._started = time.monotonic()

    def step(self, title: str) -> None:
        self._number += 1
        self._stream.write(f"\n[{self._number}] {title}\n")
        self._stream.flush()

    def say(self, text: str) -> None:
        self._stream.write(f"    {text}\n")
        self._stream.flush()

    def done(self) -> None:
        elapsed = time.monotonic() - self._started
        self._stream.write(f"\nDone in {elapsed:.1f} s.\n")
        self._stream.flush()


async def demo(stream: TextIO) -> None:
    """Upsert, list page by page, rename, move, stream scripts, start and wait, note and
    star the run and show its distribution, bulk-delete."""
    steps = _Steps(stream)
    say = steps.say
    async with FakeK6Cloud() as fake:
        fake.set_run_outcome(result="passed", steps=4)
        shop = fake.add_project("Shop")
        archive_project = fake.add_project("Archive")
        samples = add_samples(fake, SAMPLE_TESTS, projects=[shop])
        steps.step("Start FakeK6Cloud, the in-memory fake API that ships with the library")
        say(f"listening on {fake.base_url} (stack {fake.stack_id})")
        say(
            f"project {shop} 'Shop' holds {len(samples)} sample tests; project "
            f"{archive_project} 'Archive' is empty"
        )

        async with k6.K6CloudClient(fake.token, fake.stack_id, base_url=fake.base_url) as client:
            with tempfile.TemporaryDirectory(prefix="k6cloud-demo-") as temporary:
                workdir = Path(temporary)

                steps.step("Upsert a JavaScript test (created), then upsert it again (replaced)")
                checkout, created = await client.load_tests.upsert(shop, "checkout", CHECKOUT_JS)
                say(
                    f"{'created' if created else 'replaced'} load test {checkout.id} "
                    f"{checkout.name!r} in project {shop}"
                )
                changed = CHECKOUT_JS.replace("duration: '1m'", "duration: '2m'")
                again, created = await client.load_tests.upsert(shop, "checkout", changed)
                say(
                    f"same name again: load test {again.id}, "
                    f"{'created' if created else 'its script replaced'} "
                    f"({len(fake.script_of(again.id))} bytes, duration now 2m)"
                )

                steps.step("Upsert a multi-file .tar archive (main script + module + data file)")
                tar_path = build_archive(workdir)
                with tarfile.open(tar_path) as archive:
                    say(
                        f"built {tar_path.name}: {', '.join(archive.getnames())} "
                        f"({tar_path.stat().st_size} bytes)"
                    )
                bundle = (await client.load_tests.upsert(shop, "checkout bundle", tar_path)).value
                upload = fake.script_upload_of(bundle.id)
                say(
                    f"created load test {bundle.id} {bundle.name!r}, sent as "
                    f"{upload.filename} ({upload.content_type})"
                )

                steps.step(f"List project {shop} page by page ({PAGE_SIZE} tests a page)")
                number = 0
                async for page in client.load_tests.pages(
                    project_id=shop, order_by="id", page_size=PAGE_SIZE, count=True
                ):
                    number += 1
                    ids = [test.id for test in page.items]
                    say(
                        f"page {number}: {len(ids)} tests, ids {ids[0]}..{ids[-1]}"
                        + (f" (of {page.count})" if page.count is not None else "")
                    )

                steps.step("Rename the JavaScript test")
                await client.load_tests.update(checkout.id, name="checkout flow")
                renamed = await client.load_tests.get(checkout.id)
                say(f"load test {renamed.id} is now {renamed.name!r}")

                steps.step(f"Move the archive test to project {archive_project}")
                await client.load_tests.move(bundle.id, archive_project)
                moved = await client.load_tests.get(bundle.id)
                say(f"load test {moved.id} is in project {moved.project_id}")

                steps.step("Stream the archive down (saved atomically), then a script up")
                saved = workdir / "downloaded.tar"
                async with client.load_tests.download_script(bundle.id) as download:
                    size = await download.save(saved)
                    say(f"saved {size} bytes ({download.content_type}) to {saved.name}")
                with tarfile.open(saved) as archive:
                    say(f"archive members: {', '.join(archive.getnames())}")
                script_path = workdir / "checkout.js"
                async with client.load_tests.download_script(checkout.id) as download:
                    await download.save(script_path)
                script_path.write_text(script_path.read_text().replace("vus: 10", "vus: 20"))
                await client.load_tests.upload_script(checkout.id, script_path)
                say(
                    f"uploaded {script_path.stat().st_size} bytes to load test {checkout.id} "
                    f"(vus: 10 -> 20)"
                )

                steps.step("Start the test with an idempotency key, and wait for the result")
                key = k6.new_idempotency_key()
                run = await client.load_tests.start(checkout.id, idempotency_key=key)
                repeat = await client.load_tests.start(checkout.id, idempotency_key=key)
                say(
                    f"started run {run.id} (key {key[:8]}…); the same key again gives run "
                    f"{repeat.id}, not a second run"
                )
                statuses: list[str] = []

                def on_update(update: k6.TestRun) -> None:
                    statuses.append(update.status)

                final = await client.test_runs.wait(run.id, poll_interval=0.05, on_update=on_update)
                say(f"statuses: {' -> '.join(statuses)}")
                say(f"result: {final.result} (k6cloud tests start --wait would exit 0)")

                steps.step("Note and star the run, and show where its load came from")
                await client.test_runs.update(run.id, note="demo: 20 VUs after the script change")
                await client.test_runs.star(run.id)
                noted = await client.test_runs.get(run.id)
                say(f"run {noted.id}: note {noted.note!r}, starred: {noted.is_starred}")
                starred = [
                    r.id async for r in client.test_runs.list(test_id=checkout.id, is_starred=True)
                ]
                say(f"starred runs of load test {checkout.id}: {starred}")
                for zone, part in (await client.test_runs.distribution(run.id)).items():
                    nodes = ", ".join(f"{n.size} at {n.public_ip}" for n in part.nodes)
                    say(f"load zone {zone}: {part.percentage}% of the load on {nodes}")

                steps.step("Bulk-delete the sample tests (16 at a time), one id already gone")
                gone = samples[0]
                await client.load_tests.delete(gone)
                deleted = failed = 0
                reasons: set[str] = set()
                async for outcome in client.load_tests.delete_many(samples):
                    if outcome.ok:
                        deleted += 1
                    else:
                        failed += 1
                        error = outcome.error
                        reasons.add(
                            f"{error.status} {error.code}"
                            if isinstance(error, k6.APIError)
                            else type(error).__name__
                        )
                say(
                    f"deleted {deleted} of {len(samples)}, failed {failed} "
                    f"({', '.join(sorted(reasons)) or 'none'}: test {gone} was deleted before)"
                )
                left = [test.name async for test in client.load_tests.list()]
                say(f"{len(left)} load tests left: {', '.join(repr(name) for name in left)}")
    steps.done()
