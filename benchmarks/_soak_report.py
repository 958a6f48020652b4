"""The soak's figures: recovery of every fault, entities, logs and the verdict."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
import math
import statistics
import tracemalloc

from ._soak_load import Episode, Outcomes
from ._soak_probe import LogRecorder, Outage, Poll, Sample

RSS_GROWTH_MB = 5.0
RECOVERY_POLLS = 2


@dataclass(frozen=True)
class Recovery:
    """How one fault ended: polls after its end until all was well, and seconds."""

    episode: Episode
    polls: int | None  # None: not recovered before the next fault (or the end)
    seconds: float | None
    outages: int


def _polls_between(polls: list[Poll], start: float, until: float) -> int:
    return sum(1 for p in polls if start <= p.start <= until)


def recoveries(
    episodes: list[Episode],
    polls: dict[str, list[Poll]],
    outages: list[Outage],
    sim_of: dict[str, str],
    end_of_run: float,
) -> tuple[list[Recovery], dict[int, Episode]]:
    """Each fault's recovery, and the fault each outage belongs to (by id).

    A fault's window runs from its start to the start of the next fault on
    the same simulator. It recovered when, after its end, a poll of the
    simulator's entry succeeded and every entity that went unavailable in
    the window was back; ``polls`` counts the polls that started after the
    end, up to that moment.
    """
    by_sim: dict[str, list[Episode]] = defaultdict(list)
    for episode in sorted(episodes, key=lambda e: e.start):
        by_sim[episode.sim].append(episode)
    owner: dict[int, Episode] = {}
    results = []
    for sim, sim_episodes in by_sim.items():
        sim_polls = sorted(polls.get(sim, []), key=lambda p: p.start)
        for index, episode in enumerate(sim_episodes):
            if episode.end is None:
                continue
            window_end = (
                sim_episodes[index + 1].start
                if index + 1 < len(sim_episodes)
                else end_of_run
            )
            mine = [
                o
                for o in outages
                if sim_of[o.entity_id] == sim and episode.start <= o.down < window_end
            ]
            for outage in mine:
                owner[id(outage)] = episode
            first_ok = next(
                (p for p in sim_polls if p.start >= episode.end and p.ok), None
            )
            ups = [o.up for o in mine]
            if first_ok is None or None in ups or first_ok.end > window_end:
                results.append(Recovery(episode, None, None, len(mine)))
                continue
            back = max([first_ok.end, *(u for u in ups if u is not None)])
            results.append(
                Recovery(
                    episode,
                    _polls_between(sim_polls, episode.end, back),
                    max(back - episode.end, 0.0),
                    len(mine),
                )
            )
    return results, owner


def _fmt(values: list[float], unit: str = "") -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values):.1f}{unit}, max {max(values):.1f}{unit}"


def print_recoveries(results: list[Recovery]) -> None:
    """One line per simulator and kind of fault."""
    print("\nFaults (1 s polls; polls = polls started after the fault ended)")
    print("| simulator | fault | times | outages | recovered in polls | seconds |")
    print("|---|---|---|---|---|---|")
    groups: dict[tuple[str, str], list[Recovery]] = defaultdict(list)
    for result in results:
        groups[result.episode.sim, result.episode.kind].append(result)
    for (sim, kind), group in sorted(groups.items()):
        done = [r for r in group if r.polls is not None]
        missing = len(group) - len(done)
        polls = [float(r.polls) for r in done if r.polls is not None]
        seconds = [r.seconds for r in done if r.seconds is not None]
        polls_text = _fmt(polls).replace(".0", "")
        if missing:
            polls_text += f"; {missing} NOT RECOVERED"
        print(
            f"| {sim} | {kind} | {len(group)} | {sum(r.outages for r in group)}"
            f" | {polls_text} | {_fmt(seconds, ' s')} |"
        )


def print_entities(
    outages: list[Outage],
    owner: dict[int, Episode],
    polls: dict[str, list[Poll]],
    sim_of: dict[str, str],
) -> list[str]:
    """Per entity: outages, recovery after the fault's end; the unexplained ones."""
    print("\nEntities that went unavailable and came back")
    print("| entity | outages | unavailable for | back after the fault ended | polls |")
    print("|---|---|---|---|---|")
    unexplained = []
    per_entity: dict[str, list[Outage]] = defaultdict(list)
    for outage in outages:
        per_entity[outage.entity_id].append(outage)
    for entity_id, items in sorted(per_entity.items()):
        lengths, after, poll_counts = [], [], []
        open_ = 0
        for outage in items:
            episode = owner.get(id(outage))
            if outage.up is None:
                open_ += 1
                continue
            lengths.append(outage.up - outage.down)
            if episode is None or episode.end is None:
                unexplained.append(
                    f"{entity_id} unavailable {outage.up - outage.down:.1f} s"
                    " outside any fault"
                )
                continue
            after.append(max(outage.up - episode.end, 0.0))
            sim_polls = polls.get(sim_of[entity_id], [])
            poll_counts.append(float(_polls_between(sim_polls, episode.end, outage.up)))
        still = f" ({open_} still unavailable)" if open_ else ""
        print(
            f"| {entity_id} | {len(items)}{still} | {_fmt(lengths, ' s')}"
            f" | {_fmt(after, ' s')} | {_fmt(poll_counts).replace('.0', '')} |"
        )
    for line in unexplained:
        print(f"  note: {line}")
    return unexplained


def print_logs(logs: LogRecorder) -> None:
    """The integration's records above INFO, grouped; other loggers' apart."""
    for title, groups in (
        ("camera_bridge log records above INFO", logs.ours()),
        ("Other loggers' records above INFO", logs.others()),
    ):
        print(f"\n{title}: {sum(g.count for g in groups.values())}")
        for (level, name, _), group in sorted(
            groups.items(), key=lambda item: -item[1].count
        ):
            short = name.removeprefix("custom_components.camera_bridge")
            print(f"  {group.count:>5} x {level} {short or '.'}: {group.example}")


def print_outcomes(outcomes: Outcomes) -> None:
    """How the viewers, browsing and actions ended."""
    print("\nViewers, Media browser, actions")
    for what, counts in sorted(outcomes.counts.items()):
        text = ", ".join(f"{n} {o}" for o, n in counts.most_common())
        print(f"  {what}: {text}")


def print_sample(label: str, s: Sample, load: tuple[float, float, float]) -> None:
    """One line of process figures."""
    print(
        f"{label}: RSS {s.rss_mb:.1f} MB, {s.fds} descriptors ({s.sockets} sockets,"
        f" {s.pooled} of them idle keep-alive connections in the pool),"
        f" {s.tasks} asyncio tasks, {s.threads} threads,"
        f" {s.blocks:,} Python memory blocks held;"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )


def verdict(
    warm: Sample,
    end: Sample,
    results: list[Recovery],
    tracebacks: list[str],
) -> bool:
    """Print PASS/FAIL per target; True when every target passed."""
    growth = end.rss_mb - warm.rss_mb
    # tracemalloc's own records of every block would count as growth
    traced = tracemalloc.is_tracing()
    slow = [r for r in results if r.polls is None or r.polls > RECOVERY_POLLS]
    worst = max((r.polls for r in results if r.polls is not None), default=0)
    checks = [
        (
            f"RSS growth after warm-up <= {RSS_GROWTH_MB:g} MB",
            traced or growth <= RSS_GROWTH_MB,
            f"{growth:+.1f} MB ({warm.rss_mb:.1f} -> {end.rss_mb:.1f});"
            f" Python blocks held {end.blocks - warm.blocks:+,}"
            + (" (not judged: tracemalloc on)" if traced else ""),
        ),
        (
            "descriptors back to the warm-up baseline (idle pooled connections apart)",
            end.own_fds <= warm.own_fds,
            (
                f"{warm.own_fds} -> {end.own_fds}; with the pool's"
                f" {warm.pooled} -> {end.pooled}: {warm.fds} -> {end.fds}"
            ),
        ),
        (
            "sockets back to the warm-up baseline (idle pooled connections apart)",
            end.own_sockets <= warm.own_sockets,
            (
                f"{warm.own_sockets} -> {end.own_sockets}; with the pool's:"
                f" {warm.sockets} -> {end.sockets}"
            ),
        ),
        (
            "asyncio tasks back to the warm-up baseline",
            end.tasks <= warm.tasks,
            f"{warm.tasks} -> {end.tasks}",
        ),
        (
            f"every fault recovered within {RECOVERY_POLLS} polls after it ended",
            not slow and bool(results),
            f"{len(results)} faults, worst {worst} polls"
            + (
                "; late: "
                + ", ".join(
                    f"{r.episode.sim} {r.episode.kind}"
                    f" ({'never' if r.polls is None else r.polls})"
                    for r in slow[:8]
                )
                if slow
                else ""
            ),
        ),
        ("no traceback", not tracebacks, f"{len(tracebacks)} tracebacks"),
    ]
    print("\nTargets")
    for name, ok, detail in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    for text in tracebacks[:5]:
        print("\nTraceback:\n" + text)
    return all(ok for _, ok, _ in checks)


def minutes(seconds: float) -> str:
    """``seconds`` as m:ss."""
    whole = math.floor(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def print_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> None:
    """Where the memory still held grew between two snapshots (``--tracemalloc``)."""
    stats = after.compare_to(before, "lineno")
    grown = sum(s.size_diff for s in stats)
    print(f"\nPython memory still held, growth from warm-up: {grown / 1e6:+.2f} MB")
    for stat in stats[:15]:
        frame = stat.traceback[0]
        print(
            f"  {stat.size_diff / 1e3:+9.1f} KB {stat.count_diff:+7d} blocks"
            f"  {frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
        )
