"""The executor: carries a plan out over HTTP, journaling every step, assigning exactly once.

A thread pool runs upload batches and assign groups over one shared ``SpottClient``. The main
thread only schedules: it submits uploads while workers are free, submits a record's assign as
soon as its uploads are done, and watches for pause, cancel, a fatal error or the breaker.

The rules that make the two-step API safe (design notes §3):
- an upload may be repeated freely; an unassigned temporary upload expires;
- the journal says ``assign_sent`` *before* the assign call goes out; when its answer is lost,
  the record's attachments are listed and matched before anything is sent again;
- upload results are matched to files by name and size, never by position;
- a temporary id the server no longer knows means one fresh upload, not a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum

from ..client import SpottClient, UploadPart
from ..codes import Code
from ..config import Settings
from ..crashpoints import crash_point
from ..errors import (
    ApiError,
    FatalApiError,
    FileChangedError,
    JournalError,
    OutcomeUnknownError,
    PermanentApiError,
    TransientApiError,
)
from ..jobs import FileJob, Target
from ..journal import Entry, Journal
from ..plan import AssignGroup, Lookup, Plan, Step, UploadBatch
from ..progress import NullProgress, Progress
from .control import RunControl
from .filecheck import changed_since_check
from .matching import confirm_claims, match_listed, match_uploads
from .schedule import PutOff, Started, StepQueue, riding_groups

# How often a lost assign answer is checked and the missing part resent within one run.
RECONCILE_ROUNDS = 3
# How often outcomes held back in memory are written to the journal.
FLUSH_SECONDS = 0.25
# After cancel, how long in-flight requests get to finish before they are abandoned.
CANCEL_GRACE_SECONDS = 5.0
# Steps resting before a retry (a 429's Retry-After) may number this many per place in the
# window before they hold places again: after a burst of 429s at the start of a run, most of the
# window would otherwise sleep for a second.
RESTING_PER_PLACE = 3


class Stop(StrEnum):
    """Why a run ended before the end of its plan."""

    CANCELLED = "cancelled"  # the panel's Cancel
    INTERRUPTED = "interrupted"  # Ctrl-C
    FATAL = "fatal"  # Spott said no further request can succeed (key, URL, no answer)
    BREAKER = "breaker"  # too many consecutive failures
    JOURNAL = "journal"  # the journal could not be written (disk full, damaged)

    @property
    def is_error(self) -> bool:
        """True for the stops the user must act on before re-running (exit 2)."""
        return self in (Stop.FATAL, Stop.JOURNAL)


@dataclass
class RunResult:
    """What a run did."""

    assigned: int = 0
    failed: int = 0
    requests_sent: int = 0
    requests_by_endpoint: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    # None when the plan ran to its end.
    stopped: Stop | None = None
    # What stopped a run with ``stopped.is_error``, in one line.
    fatal_error: str | None = None
    # The error itself, for front-ends that branch on its class (AuthError, UnreachableError…).
    fatal_cause: Exception | None = None
    failures_by_code: dict[str, int] = field(default_factory=dict)
    # (seconds since start, files finished, bytes sent) after each finished step
    timeline: list[tuple[float, int, int]] = field(default_factory=list)


class _Breaker:
    """Counts consecutive transport/5xx failures; trips at a threshold."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._streak = 0
        self._lock = threading.Lock()
        self.tripped = threading.Event()

    def failure(self) -> None:
        with self._lock:
            self._streak += 1
            if self._streak >= self.threshold:
                self.tripped.set()

    def success(self) -> None:
        with self._lock:
            self._streak = 0


class Executor:
    """Runs one plan. Create, call :meth:`run` once."""

    def __init__(
        self,
        client: SpottClient,
        journal: Journal,
        settings: Settings,
        *,
        progress: Progress | None = None,
        control: RunControl | None = None,
        on_checkpoint: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.settings = settings
        self.progress = progress or NullProgress()
        self.control = control or RunControl()
        self.on_checkpoint = on_checkpoint
        self.result = RunResult()
        self._temp_ids: dict[str, str] = {}
        # Row key -> when its upload was sent (epoch s): attachments far older are not ours.
        self._upload_sent_at: dict[str, float] = {}
        self._riders: dict[int, list[AssignGroup]] = {}
        # Rows whose assign intent is already durable in the journal.
        self._intended: set[str] = set()
        # Rows the look-ups settled (Spott holds them) or set aside (Spott could not be asked):
        # no step sends anything of them.
        self._skip: set[str] = set()
        # Riding assigns whose upload is done, and those a worker has taken (see _steal).
        self._stealable: dict[int, list[AssignGroup]] = {}
        self._claimed: set[int] = set()
        self._lock = threading.Lock()
        self._breaker = _Breaker(settings.breaker_threshold)
        self._fatal: FatalApiError | None = None
        self._journal_failure: JournalError | None = None
        self._bytes_sent = 0
        self._files_done = 0
        self._started = time.monotonic()

    # ------------------------------------------------------------------ entry point
    def run(
        self,
        plan: Plan,
        entries: Mapping[str, Entry] | None = None,
        claims: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Carry out the plan: its look-ups first, then its steps. Raises nothing for row-level
        problems; see ``result.stopped``.

        ``entries`` are the journals' (for the temporary ids of rows that only need their
        assign, or whose assign is to be looked up); ``claims`` the sheet's ``assigned`` marks
        the journal does not know (row key -> the sheet's attachment id).
        """
        self._started = time.monotonic()
        self.progress.start(plan.files, plan.bytes)
        try:
            self._remember_uploads(plan, entries or {})
            self._look_up(plan, entries or {}, claims or {})
            if not self._should_stop():
                self._schedule(plan)
        finally:
            self._flush()
            if self.result.stopped is None:
                self._should_stop()  # a 401 or the breaker on the very last step still counts
            self.progress.close()
            self.result.requests_sent = self.client.requests_sent
            self.result.requests_by_endpoint = self.client.requests_by_endpoint()
            self.result.elapsed = time.monotonic() - self._started
        return self.result

    # ------------------------------------------------------------------ look-ups
    def _remember_uploads(self, plan: Plan, entries: Mapping[str, Entry]) -> None:
        """The temporary ids of rows the plan only assigns (their uploads are still good)."""
        for key in plan.assign_only:
            entry = entries.get(key)
            if entry is not None and entry.temp_id:
                self._temp_ids[key] = entry.temp_id
                if entry.uploaded_at:
                    self._upload_sent_at[key] = entry.uploaded_at

    def _look_up(self, plan: Plan, entries: Mapping[str, Entry], claims: Mapping[str, str]) -> None:
        """Ask Spott about the plan's look-ups before anything is sent.

        Rows whose assign went out unconfirmed are matched as after a lost answer (by id, else
        by name and size, never an attachment much older than our upload); rows the sheet alone
        calls assigned must show their own file (see ``confirm_claims``). What Spott holds is
        marked assigned and drops out of the steps; the rest go on as planned. A record that
        cannot be listed leaves its rows alone for this run: never sent blind.
        """
        if not plan.lookups:
            return
        # Look-ups are independent of each other: as many at once as requests may be in flight.
        with ThreadPoolExecutor(
            max_workers=self.settings.concurrency, thread_name_prefix="spott-lookup"
        ) as pool:
            for failure in pool.map(
                lambda lookup: self._look_up_one(lookup, entries, claims), plan.lookups
            ):
                if failure is not None and self._journal_failure is None:
                    self._journal_failure = failure
        self._flush()

    def _look_up_one(
        self, lookup: Lookup, entries: Mapping[str, Entry], claims: Mapping[str, str]
    ) -> JournalError | None:
        """One record's look-up (see :meth:`_look_up`); a journal that fails is returned."""
        try:
            if self._fatal is not None or self._journal_failure is not None:
                self._set_aside(lookup.jobs, claims)
                return None
            field_name, record_id = lookup.target[0]
            try:
                listed = self.client.list_attachments(**{field_name: record_id})
            except FatalApiError as exc:
                self._fatal = exc
                self._set_aside(lookup.jobs, claims)
                return None
            except ApiError:
                self._set_aside(lookup.jobs, claims)
                return None
            sent = [j for j in lookup.jobs if j.row_key not in claims]
            held = {j.row_key: e for j in sent if (e := entries.get(j.row_key)) is not None}
            temp = {k: e.temp_id for k, e in held.items() if e.temp_id}
            sent_at = {k: e.uploaded_at for k, e in held.items() if e.uploaded_at}
            found = match_listed(sent, temp, listed, sent_at=sent_at)
            claimed = [j for j in lookup.jobs if j.row_key in claims]
            found.update(confirm_claims(claimed, claims, listed))
            self._mark_assigned(found, lookup.jobs)
            with self._lock:
                self._skip.update(found)
            missing = [j for j in sent if j.row_key not in found]
            if missing:
                self.journal.record_not_assigned([(j.row_key, j.source_row) for j in missing])
        except JournalError as exc:
            return exc
        return None

    def _set_aside(self, jobs: Sequence[FileJob], claims: Mapping[str, str]) -> None:
        """Rows whose record could not be looked up: nothing of them is sent in this run."""
        with self._lock:
            self._skip.update(j.row_key for j in jobs)
        unasked = [(j.row_key, j.source_row) for j in jobs if j.row_key in claims]
        if unasked:
            note = "marked assigned in the sheet, not in the journal; Spott could not be asked"
            self.journal.record_note(unasked, Code.RETRIES_EXHAUSTED.value, note)
        for _ in jobs:
            self.progress.file_done("pending", Code.RETRIES_EXHAUSTED.value)

    # ------------------------------------------------------------------ scheduling
    def _schedule(self, plan: Plan) -> None:
        """Start steps while workers are free, collect them as they end, until none is left
        (or the run must stop). This thread only schedules; workers send the requests."""
        self._riders = riding_groups(plan)
        queue = StepQueue(plan, self._riders)
        inflight: dict[Future[list[PutOff]], Started] = {}
        self._next_flush = self._next_checkpoint = time.monotonic()
        self._checkpoint_every = self.settings.checkpoint_seconds
        # More threads than the window allows: a step resting before a retry holds a thread
        # but not a place in the window (see ``_start_ready``).
        pool = ThreadPoolExecutor(
            max_workers=(1 + RESTING_PER_PLACE) * self.settings.concurrency,
            thread_name_prefix="spott",
        )
        try:
            while queue or inflight:
                if self._should_stop():
                    break
                if not self.control.paused:
                    self._start_ready(queue, inflight, pool)
                if inflight:
                    self._collect(queue, inflight)
                else:
                    self._idle(queue)
                if self.control.paused and self.client.requests_on_the_wire == 0:
                    self.control.mark_idle()  # a pause is only whole once answers are in
                self._housekeeping()
        except KeyboardInterrupt:
            self.control.cancel()
            raise
        finally:
            self._settle(inflight)
            pool.shutdown(wait=False, cancel_futures=True)

    def _start_ready(
        self,
        queue: StepQueue,
        inflight: dict[Future[list[PutOff]], Started],
        pool: ThreadPoolExecutor,
    ) -> None:
        """Hand steps to workers up to the window the server's answers allow. Steps resting
        before a retry (a 429's ``Retry-After``) are not in flight: others take their places."""
        limiter = self.client.limiter
        resting = min(limiter.resting, RESTING_PER_PLACE * self.settings.concurrency)
        width = limiter.window + resting
        while len(inflight) < width:
            started = queue.next_step(time.monotonic()) or self._steal()
            if started is None:
                return
            step = started.step
            if isinstance(step, UploadBatch):
                inflight[pool.submit(self._upload_then_assign, step)] = started
            else:
                inflight[pool.submit(self._assign_step, step)] = started

    def _collect(self, queue: StepQueue, inflight: dict[Future[list[PutOff]], Started]) -> None:
        """Take in the steps that ended (waiting a little for one)."""
        # Briefly, while riding assigns wait to be taken: an idle worker should not wait long.
        with self._lock:
            timeout = 0.02 if self._stealable else 0.2
        finished, _ = wait(list(inflight), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in finished:
            started = inflight.pop(future)
            put_off = self._outcome(future, started.step)
            for later in queue.finished(started, put_off, time.monotonic()):
                self._give_up(later.step, later.reason)
            self._tick()

    def _idle(self, queue: StepQueue) -> None:
        """Nothing in flight: wait while paused, or until a step put off is due."""
        if self.control.paused:
            self.control.wait_while_paused(0.2)
            return
        due_in = queue.next_due_in(time.monotonic())
        if due_in is not None:
            time.sleep(min(0.2, due_in))

    def _housekeeping(self) -> None:
        """Write held-back outcomes a few times a second; checkpoint the workbook now and then."""
        now = time.monotonic()
        if now >= self._next_flush:
            self._flush()
            self._next_flush = time.monotonic() + FLUSH_SECONDS
        if self.on_checkpoint and now - self._next_checkpoint > self._checkpoint_every:
            began = time.monotonic()
            self.on_checkpoint()
            self._next_checkpoint = time.monotonic()
            # A big workbook takes seconds to save: never spend over a tenth of the run on it.
            self._checkpoint_every = max(
                self.settings.checkpoint_seconds, 10 * (self._next_checkpoint - began)
            )

    def _settle(self, inflight: dict[Future[list[PutOff]], Started]) -> None:
        """On the way out: give requests already sent a moment to end, and record their end."""
        if not inflight:
            return
        wait(list(inflight), timeout=CANCEL_GRACE_SECONDS)
        for future, started in inflight.items():
            if future.done():
                self._outcome(future, started.step)

    def _flush(self) -> None:
        """Write held-back outcomes; a journal that cannot take them stops the run."""
        try:
            self.journal.flush()
        except JournalError as exc:
            self._journal_failure = self._journal_failure or exc

    def _should_stop(self) -> bool:
        if self._journal_failure is not None:
            self._stop(Stop.JOURNAL, self._journal_failure)
            return True
        if self._fatal is not None:
            self._stop(Stop.FATAL, self._fatal)
            return True
        if self._breaker.tripped.is_set():
            self.result.stopped = Stop.BREAKER
            return True
        if self.control.cancelled:
            self.result.stopped = Stop.CANCELLED
            return True
        return False

    def _stop(self, why: Stop, cause: Exception) -> None:
        self.result.stopped = why
        self.result.fatal_error = str(cause)
        self.result.fatal_cause = cause

    def _upload_then_assign(self, batch: UploadBatch) -> list[PutOff]:
        """Upload a batch, then assign the records it completes; return the steps put off.

        Pause and cancel still act between requests: the worker waits while paused, and on
        cancel leaves the rest (their intent is journaled, so the next run checks them).
        """
        try:
            self._upload_batch(batch.wire_type, batch.jobs)
        except _Deferred as exc:
            return [PutOff(batch, exc.seconds, exc.reason)]
        riders = self._riders.get(batch.index, [])
        with self._lock:
            self._stealable[batch.index] = riders  # idle workers may take some (a run's end)
        later: list[PutOff] = []
        try:
            for group in riders:
                while self.control.paused:
                    self.control.wait_while_paused(0.2)
                if self.control.cancelled or self._fatal is not None or self._journal_failure:
                    break
                if self._claim(group):
                    later.extend(self._assign_step(group))
        finally:
            with self._lock:
                self._stealable.pop(batch.index, None)
                self._claimed.difference_update(g.index for g in riders)
        return later

    def _claim(self, group: AssignGroup) -> bool:
        """Take a riding assign for this worker; False if another worker took it first."""
        with self._lock:
            if group.index in self._claimed:
                return False
            self._claimed.add(group.index)
            return True

    def _steal(self) -> Started | None:
        """A riding assign whose upload is done and that no worker has taken yet: with nothing
        else to start, an idle worker takes it (else the last batch's worker does them all)."""
        with self._lock:
            for riders in self._stealable.values():
                for group in riders:
                    if group.index not in self._claimed:
                        self._claimed.add(group.index)
                        return Started(group)
        return None

    def _assign_step(self, group: AssignGroup) -> list[PutOff]:
        """Assign one record's files; a long Retry-After puts the step off."""
        try:
            self._assign_group(group)
        except _Deferred as exc:
            return [PutOff(group, exc.seconds, exc.reason)]
        return []

    def _outcome(self, future: Future[list[PutOff]], step: Step) -> list[PutOff]:
        """A worker's result: the steps it put off. A fatal error is kept for the scheduler."""
        try:
            return future.result()
        except FatalApiError as exc:
            self._fatal = exc
        except JournalError as exc:
            self._journal_failure = exc
        return []

    def _give_up(self, step: UploadBatch | AssignGroup, reason: str) -> None:
        # Rows keep their state (pending or uploaded): the next run does them. Say why.
        self.journal.record_note(
            [(j.row_key, j.source_row) for j in step.jobs], Code.RETRIES_EXHAUSTED.value, reason
        )
        for _ in step.jobs:
            self.progress.file_done("pending", Code.RETRIES_EXHAUSTED.value)

    def _tick(self) -> None:
        with self._lock:
            self.result.timeline.append(
                (time.monotonic() - self._started, self._files_done, self._bytes_sent)
            )

    # ------------------------------------------------------------------ workers
    def _on_bytes(self, n: int) -> None:
        with self._lock:
            self._bytes_sent += n
        self.progress.advance_bytes(n)

    def _upload_batch(self, wire_type: str, jobs: Sequence[FileJob]) -> None:
        """Upload files; on a batch-wide 4xx, isolate the bad file by uploading one by one.

        Each file is first compared with what the check saw; one that changed fails its own
        row (as does one that changes while it streams), and the rest go on.
        """
        with self._lock:
            jobs = [j for j in jobs if j.row_key not in self._skip]
        jobs = self._unchanged(jobs)
        if not jobs:
            return
        parts = [UploadPart(j.upload_name or j.path.name, j.path, j.mime, j.size) for j in jobs]
        sent_at = time.time()
        try:
            items = self.client.upload(wire_type, parts, on_bytes=self._on_bytes)
        except FileChangedError as exc:
            changed = [j for j in jobs if j.path == exc.path] or list(jobs[:1])
            self._fail(changed, Code(exc.code), str(exc))
            rest = [j for j in jobs if j not in changed]
            if rest:
                self._upload_batch(wire_type, rest)
            return
        except PermanentApiError as exc:
            self._breaker.success()
            if len(jobs) > 1:
                for job in jobs:
                    self._upload_batch(wire_type, [job])
            else:
                self._fail(jobs, Code.UPLOAD_REJECTED, str(exc))
            return
        except TransientApiError as exc:
            self._transient(jobs, exc)
            return
        self._breaker.success()
        matched, unmatched = match_uploads(jobs, items)
        if matched:
            # Written as the intent of the assign that follows (one synced write, in this
            # worker, rather than another per record later).
            self.journal.record_uploaded(
                {j.row_key: (j.source_row, tid, j.upload_name, j.size) for j, tid in matched},
                assign_next=True,
            )
            with self._lock:
                self._temp_ids.update({j.row_key: tid for j, tid in matched})
                self._upload_sent_at.update({j.row_key: sent_at for j, _ in matched})
                self._intended.update(j.row_key for j, _ in matched)
            crash_point("after_upload")
        if unmatched and len(jobs) > 1:
            for job in unmatched:
                self._upload_batch(wire_type, [job])  # alone, the answer cannot be ambiguous
        elif unmatched:
            self._fail(unmatched, Code.UPLOAD_UNMATCHED, "the upload answer did not list this file")

    def _unchanged(self, jobs: Sequence[FileJob]) -> list[FileJob]:
        """``jobs`` whose files are still as checked; the others fail their rows here."""
        keep: list[FileJob] = []
        for job in jobs:
            problem = changed_since_check(job)
            if problem is None:
                keep.append(job)
            else:
                self._fail([job], Code(problem.code), str(problem))
        return keep

    def _sendable(self, group: AssignGroup) -> list[FileJob]:
        with self._lock:
            return [
                j for j in group.jobs if j.row_key in self._temp_ids and j.row_key not in self._skip
            ]

    def _assign_group(self, group: AssignGroup) -> None:
        jobs = self._sendable(group)
        if not jobs:
            return  # every upload of this record failed; already journaled
        self._assign(group.target, jobs, reuploaded=False)

    def _assign(self, target: Target, jobs: list[FileJob], *, reuploaded: bool) -> None:
        for _ in range(RECONCILE_ROUNDS):
            with self._lock:
                unannounced = [j for j in jobs if j.row_key not in self._intended]
                self._intended.update(j.row_key for j in unannounced)
            if unannounced:
                self.journal.record_assign_sent([(j.row_key, j.source_row) for j in unannounced])
            crash_point("after_assign_sent")
            items = [
                {"id": self._temp_ids[j.row_key], "type": j.wire_type, "name": j.display_name}
                for j in jobs
            ]
            try:
                self.client.assign(items, dict(target))
            except FatalApiError:
                # 401/403 means refused, not processed: the rows are simply still uploaded.
                self._back_to_uploaded(jobs)
                raise
            except OutcomeUnknownError:
                self._breaker.failure()
                found = self._find_assigned(target, jobs)
                if found is None:
                    self._leave_unsettled(jobs)
                    return
                self._mark_assigned(found, jobs)
                jobs = [j for j in jobs if j.row_key not in found]
                if not jobs:
                    return
                continue
            except PermanentApiError as exc:
                self._breaker.success()
                if not reuploaded and exc.status in (404, 410):
                    # Most likely an expired temporary id: upload once more, then assign again.
                    self._reupload_and_assign(target, jobs)
                    return
                code = Code.TARGET_NOT_FOUND if exc.status == 404 else Code.ASSIGN_REJECTED
                self._fail(jobs, code, str(exc))
                return
            except TransientApiError as exc:
                # A 429 or a connect failure: provably not processed. Back to `uploaded`.
                self._back_to_uploaded(jobs)
                self._transient(jobs, exc)
                return
            self._breaker.success()
            crash_point("after_assign_ok")
            self._mark_assigned({j.row_key: self._temp_ids[j.row_key] for j in jobs}, jobs)
            return
        self._leave_unsettled(jobs)  # the answer was lost every time

    def _back_to_uploaded(self, jobs: Sequence[FileJob]) -> None:
        with self._lock:
            self._intended.difference_update(j.row_key for j in jobs)
        self.journal.record_not_assigned([(j.row_key, j.source_row) for j in jobs])

    def _reupload_and_assign(self, target: Target, jobs: list[FileJob]) -> None:
        self.journal.record_pending([(j.row_key, j.source_row) for j in jobs])
        with self._lock:
            for job in jobs:
                self._temp_ids.pop(job.row_key, None)
                self._intended.discard(job.row_key)
        by_type: dict[str, list[FileJob]] = {}
        for job in jobs:
            by_type.setdefault(job.wire_type, []).append(job)
        for wire_type, typed in by_type.items():
            self._upload_batch(wire_type, typed)
        with self._lock:
            ready = [j for j in jobs if j.row_key in self._temp_ids]
        if ready:
            self._assign(target, ready, reuploaded=True)

    def _find_assigned(self, target: Target, jobs: Sequence[FileJob]) -> dict[str, str] | None:
        """Which of ``jobs`` the record already has: row key -> attachment id; None if unknown."""
        field_name, record_id = target[0]
        try:
            existing = self.client.list_attachments(**{field_name: record_id})
        except FatalApiError as exc:
            self._fatal = exc
            return None
        except ApiError:
            return None
        with self._lock:
            times = self._upload_sent_at
            sent_at = {j.row_key: times[j.row_key] for j in jobs if j.row_key in times}
        return match_listed(jobs, self._temp_ids, existing, sent_at=sent_at)

    # ------------------------------------------------------------------ outcomes
    def _mark_assigned(self, found: Mapping[str, str], jobs: Iterable[FileJob]) -> None:
        done = [j for j in jobs if j.row_key in found]
        if not done:
            return
        self.journal.record_assigned({j.row_key: (j.source_row, found[j.row_key]) for j in done})
        with self._lock:
            self.result.assigned += len(done)
            self._files_done += len(done)
        for _ in done:
            self.progress.file_done("assigned")

    def _fail(self, jobs: Sequence[FileJob], code: Code, message: str) -> None:
        self.journal.record_failed([(j.row_key, j.source_row) for j in jobs], code.value, message)
        with self._lock:
            self.result.failed += len(jobs)
            self._files_done += len(jobs)
            self.result.failures_by_code[code.value] = self.result.failures_by_code.get(
                code.value, 0
            ) + len(jobs)
        for _ in jobs:
            self.progress.file_done("failed", code.value)

    def _transient(self, jobs: Sequence[FileJob], exc: TransientApiError) -> None:
        if exc.retry_after is not None and exc.retry_after > self.client.retry.retry_after_cap:
            # Put the step aside (at most the cap at a time) so workers do other rows; after a
            # few tries the rows stay pending for a later run rather than holding this one.
            raise _Deferred(self.client.retry.retry_after_cap, str(exc))
        self._breaker.failure()
        if not self._breaker.tripped.is_set():
            self._fail(jobs, Code.RETRIES_EXHAUSTED, str(exc))

    def _leave_unsettled(self, jobs: Sequence[FileJob]) -> None:
        # The answer was lost and the check failed too: the rows stay `assign_sent`, and the
        # next run checks the record before sending anything. Never resend blind.
        for _ in jobs:
            self.progress.file_done("pending", Code.RETRIES_EXHAUSTED.value)


class _Deferred(Exception):
    """A step to try again after ``seconds`` (a Retry-After too long to wait in a worker)."""

    def __init__(self, seconds: float, reason: str) -> None:
        super().__init__(reason)
        self.seconds = seconds
        self.reason = reason


__all__ = ["Executor", "RunResult"]
