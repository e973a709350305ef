"""The job queue's promises, on SQLite and PostgreSQL: once per key, one holder at a time,
a dead worker's job taken over, retries with backoff, and a limit on tries."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import NoReturn

from papertide.jobs.models import NewJob
from papertide.jobs.queue import JobQueue
from papertide.settings import Settings
from papertide.store.base import Store
from tests.jobs.conftest import START, Wall

QueueFor = Callable[[str], JobQueue]


def test_a_key_is_queued_once_however_many_workers_queue_it(
    open_more_stores: Callable[[], Store], queue_settings: Settings, wall: Wall
) -> None:
    queues = [JobQueue(open_more_stores(), queue_settings, f"worker-{n}", wall) for n in range(3)]
    ids: list[int | None] = []
    barrier = threading.Barrier(len(queues))

    def enqueue(queue: JobQueue) -> None:
        barrier.wait()
        for _ in range(5):
            ids.append(queue.enqueue(NewJob("arxiv-rss@2026-09-24T04:30Z", "arxiv-rss")))

    threads = [threading.Thread(target=enqueue, args=(queue,)) for queue in queues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    added = [job_id for job_id in ids if job_id is not None]
    assert len(added) == 1 and len(ids) == 15
    assert [record.key for record in queues[0].store.job_records(10)] == \
        ["arxiv-rss@2026-09-24T04:30Z"]


def test_concurrent_workers_never_claim_the_same_job(
    open_more_stores: Callable[[], Store], queue_settings: Settings, wall: Wall
) -> None:
    first = JobQueue(open_more_stores(), queue_settings, "queuer", wall)
    for number in range(30):
        first.enqueue(NewJob(f"deliver@{number}", "deliver"))
    queues = [JobQueue(open_more_stores(), queue_settings, f"worker-{n}", wall) for n in range(3)]
    claimed: list[tuple[str, int]] = []
    barrier = threading.Barrier(len(queues))

    def work(queue: JobQueue) -> None:
        barrier.wait()
        while (job := queue.claim()) is not None:
            claimed.append((queue.owner, job.id))
            assert queue.finish(job, "sent")

    threads = [threading.Thread(target=work, args=(queue,)) for queue in queues]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(job_id for _owner, job_id in claimed) == \
        sorted({job_id for _owner, job_id in claimed})
    assert len(claimed) == 30
    assert first.store.job_counts() == {"done": 30}


def test_the_oldest_due_job_comes_first_and_a_future_one_waits(
    worker_queue: QueueFor, wall: Wall
) -> None:
    queue = worker_queue("worker-a")
    later = queue.enqueue(NewJob("later", "deliver", run_after=START + 60))
    first = queue.enqueue(NewJob("first", "deliver"))
    second = queue.enqueue(NewJob("second", "deliver"))

    claimed = [queue.claim(), queue.claim()]
    assert [job.id if job else None for job in claimed] == [first, second]
    assert queue.claim() is None
    for job in claimed:
        assert job is not None and job.attempts == 1 and queue.finish(job, "sent")
    wall.advance(60)
    assert (queue.claim() or _none()).id == later


def test_a_dead_workers_job_is_taken_over_when_its_lease_runs_out(
    worker_queue: QueueFor, wall: Wall, store: Store
) -> None:
    dead, alive = worker_queue("dead-worker"), worker_queue("live-worker")
    job_id = dead.enqueue(NewJob("hf-daily@2026-06-12T14:10Z", "hf-daily", {"slot": "x"}))
    assert dead.claim() is not None

    wall.advance(29)
    assert alive.claim() is None  # the lease still holds
    wall.advance(2)
    taken = alive.claim()

    assert taken is not None and taken.id == job_id
    assert taken.attempts == 2 and taken.taken_over_from == "dead-worker"
    assert taken.payload == {"slot": "x"}
    # The first worker, should it wake up, can change nothing any more.
    assert not dead.renew(taken) and not dead.finish(taken, "done late")
    assert alive.finish(taken, "4 new")
    record = store.get_job(job_id or 0)
    assert record is not None and record.state == "done" and record.result == "4 new"
    assert record.lease_owner == "live-worker" and "lease ran out" in (record.last_error or "")


def test_a_late_holder_cannot_settle_a_job_its_own_worker_claimed_again(
    worker_queue: QueueFor, wall: Wall, store: Store
) -> None:
    # Two job threads of one worker share its owner id: only the claim's fence tells
    # the thread that stalled past its lease from the one that took the job over.
    first_thread, second_thread = worker_queue("worker-a"), worker_queue("worker-a")
    job_id = first_thread.enqueue(NewJob("deliver:7:1", "deliver"))
    stalled = first_thread.claim()
    assert stalled is not None
    wall.advance(31)
    fresh = second_thread.claim()
    assert fresh is not None and fresh.id == job_id and fresh.fence > stalled.fence

    assert not first_thread.renew(stalled)
    assert not first_thread.finish(stalled, "sent twice")
    assert not first_thread.fail(stalled, "late failure")
    assert not first_thread.release(stalled, "late release")
    record = store.get_job(job_id or 0)
    assert record is not None and record.state == "running" and record.attempts == 2
    assert second_thread.renew(fresh) and second_thread.finish(fresh, "sent once")
    record = store.get_job(job_id or 0)
    assert record is not None and record.result == "sent once"


def test_the_heartbeat_keeps_a_long_job_with_its_worker(
    worker_queue: QueueFor, wall: Wall
) -> None:
    slow, other = worker_queue("slow-worker"), worker_queue("other-worker")
    slow.enqueue(NewJob("arxiv-oai@2026-06-12T07:00Z", "arxiv-oai"))
    job = slow.claim()
    assert job is not None
    for _ in range(10):  # five minutes of a long harvest, renewing every 20 s
        wall.advance(20)
        assert slow.renew(job)
        assert other.claim() is None
    assert slow.finish(job, "harvested")


def test_a_failed_job_is_retried_after_a_doubling_backoff_then_given_up(
    worker_queue: QueueFor, wall: Wall, store: Store
) -> None:
    queue = worker_queue("worker-a")
    job_id = queue.enqueue(NewJob("arxiv-rss@2026-09-24T04:30Z", "arxiv-rss", max_attempts=3))
    waits = []
    for attempt in (1, 2):
        job = queue.claim()
        assert job is not None and job.attempts == attempt
        assert queue.fail(job, f"HTTP 503 (try {attempt})")
        due = store.get_job(job_id or 0)
        assert due is not None and due.state == "queued"
        assert due.last_error == f"HTTP 503 (try {attempt})"
        waits.append(due.run_after.timestamp() - wall())
        assert queue.claim() is None
        wall.advance(waits[-1])
    assert waits == [60.0, 120.0]

    job = queue.claim()
    assert job is not None and job.attempts == 3
    assert queue.fail(job, "HTTP 503 (try 3)")
    record = store.get_job(job_id or 0)
    assert record is not None and record.state == "failed"
    assert record.last_error == "HTTP 503 (try 3)" and record.attempts == 3
    wall.advance(3_600)
    assert queue.claim() is None


def test_a_job_whose_workers_keep_dying_fails_after_its_attempts(
    worker_queue: QueueFor, wall: Wall, store: Store
) -> None:
    job_id = worker_queue("queuer").enqueue(NewJob("digest-daily@2026-11-26T07:00Z",
                                                   "digest-daily", max_attempts=2))
    for owner in ("first", "second"):
        assert worker_queue(owner).claim() is not None
        wall.advance(31)
    assert worker_queue("third").claim() is None
    record = store.get_job(job_id or 0)
    assert record is not None and record.state == "failed" and record.attempts == 2
    assert record.last_error == ("gave up after 2 attempts: its worker stopped before "
                                 "finishing (the lease ran out)")


def test_a_released_job_runs_again_without_using_up_a_try(
    worker_queue: QueueFor, wall: Wall
) -> None:
    queue = worker_queue("stopping-worker")
    queue.enqueue(NewJob("hf-daily@2026-06-12T14:10Z", "hf-daily", max_attempts=1))
    job = queue.claim()
    assert job is not None
    assert queue.release(job, "the worker stopped", delay=10)
    assert worker_queue("other").claim() is None
    wall.advance(10)
    again = worker_queue("other").claim()
    assert again is not None and again.attempts == 1


def test_jobs_of_one_lane_run_one_at_a_time(worker_queue: QueueFor, wall: Wall) -> None:
    queue = worker_queue("worker-a")
    queue.enqueue(NewJob("arxiv-oai@day1", "arxiv-oai", lane="arxiv-oai"))
    queue.enqueue(NewJob("arxiv-oai@day2", "arxiv-oai", lane="arxiv-oai"))
    queue.enqueue(NewJob("hf-daily@hour", "hf-daily", lane="hf-daily"))
    other = worker_queue("worker-b")

    harvest = queue.claim()
    assert harvest is not None and harvest.key == "arxiv-oai@day1"
    hourly = other.claim()
    assert hourly is not None and hourly.key == "hf-daily@hour"
    assert other.claim() is None  # day2 waits for day1's lane
    assert queue.finish(harvest, "done")
    following = other.claim()
    assert following is not None and following.key == "arxiv-oai@day2"


def test_a_coalescing_job_is_not_queued_while_one_of_its_kind_waits(
    worker_queue: QueueFor,
) -> None:
    queue = worker_queue("worker-a")
    first = queue.enqueue(NewJob("embed@a", "embed", only_if_none_queued=True))
    assert first is not None
    assert queue.enqueue(NewJob("embed@b", "embed", only_if_none_queued=True)) is None
    running = queue.claim()
    assert running is not None and running.id == first
    # Papers stored while it runs need another run after it.
    assert queue.enqueue(NewJob("embed@c", "embed", only_if_none_queued=True)) is not None


def test_claims_can_be_limited_to_some_jobs_or_kinds(worker_queue: QueueFor) -> None:
    queue = worker_queue("worker-a")
    deliver = queue.enqueue(NewJob("deliver@1", "deliver"))
    embed = queue.enqueue(NewJob("embed@1", "embed"))
    rss = queue.enqueue(NewJob("arxiv-rss@1", "arxiv-rss"))
    assert (queue.claim(ids=[rss or 0]) or _none()).id == rss
    assert (queue.claim(kinds=["embed"]) or _none()).id == embed
    assert queue.claim(kinds=["hf-daily"]) is None
    assert (queue.claim() or _none()).id == deliver


def test_finished_jobs_are_forgotten_after_the_keep_days(
    worker_queue: QueueFor, wall: Wall, store: Store, queue_settings: Settings
) -> None:
    queue = worker_queue("worker-a")
    queue.enqueue(NewJob("old", "deliver"))
    job = queue.claim()
    assert job is not None and queue.finish(job, "sent")
    wall.advance(queue_settings.job_keep_days * 86_400 - 60)
    queue.enqueue(NewJob("waiting", "deliver"))
    assert queue.purge() == 0
    wall.advance(120)
    assert queue.purge() == 1
    assert [record.key for record in store.job_records(10)] == ["waiting"]
    assert Counter(store.job_counts()) == Counter({"queued": 1})


def _none() -> NoReturn:
    raise AssertionError("no job was claimed")
