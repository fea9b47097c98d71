"""Generate the demo agency from a seed: plain Python objects, no database.

The same seed, size and `today` always give the same agency. Streamers are hired, promoted
and trained on dates relative to `today`; their sessions end with the last full day before
`today` in the organisation's zone and cover at least a year and the last four full quarters
(the ones the demo appraises), so every one of those quarters has data.

Besides what is written straight to the database, the set plans what HR does afterwards: the
promotions HR confirms once the quarter that earned them is appraised (the sessions after the
promotion are already the new level's), and the late data of the last finalized quarter — a
few sessions exported late and refunds that grew — imported after that quarter was finalized.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from hrapp.core.messages import Message, message
from hrapp.demo import data
from hrapp.training.curriculum import DEFAULT_CURRICULUM, RUBRIC_MAX
from scoring.period import Period, previous_quarter_codes, quarter_code

DAY = dt.timedelta(days=1)
YEAR_DAYS = 365
CO_HOST_SHARES = ((5000, 5000), (6000, 4000))
RETAKE_NOTE = "补考"
APPRAISED_QUARTERS = 4  # the last full quarters before today: all finalized but the newest
# The reasons of the level history: the generator writes them, so they are messages.
HIRED = message("Hired")
MENTOR_CERTIFIED = message("Certified as a training mentor: promoted to training mentor")
TWO_GOOD_QUARTERS = message("Grade A or better two quarters running: promoted to senior streamer")
PROMOTED_WITH_NEW_ROOM = message(
    "Grade A or better two quarters running; promoted to senior streamer when the new room opened"
)


@dataclass(frozen=True)
class DemoQuarter:
    code: str  # 2026Q3
    first: dt.date
    last: dt.date


def demo_quarters(today: dt.date) -> list[DemoQuarter]:
    """The last APPRAISED_QUARTERS full quarters before `today`, oldest first."""
    codes = previous_quarter_codes(quarter_code(today), APPRAISED_QUARTERS + 1)[1:]
    quarters = []
    for code in reversed(codes):
        period = Period.quarter(int(code[:4]), int(code[5]))
        quarters.append(DemoQuarter(code, period.start, period.end))
    return quarters


@dataclass(frozen=True)
class DemoAccount:
    platform: str
    account_id: str  # text: Douyin ids keep their leading zeros
    nickname: str


@dataclass(frozen=True)
class LevelStep:
    from_level: str | None
    to_level: str
    effective_on: dt.date
    reason: Message  # written by the system, read in each reader's language


@dataclass
class DemoStreamer:
    employee_no: str
    legal_name: str
    stage_name: str
    date_of_birth: dt.date
    category: str
    team: str
    persona: str
    history: list[LevelStep]
    accounts: list[DemoAccount]
    skill: float  # 1.0 meets the level's targets; the spread gives a spread of grades
    sessions_per_week: float
    mentor: int | None = None  # index of the mentor in DemoSet.streamers
    # Good and bad quarters: a factor on the figures per quarter code (1.0 when absent).
    form: dict[str, float] = field(default_factory=dict)
    # Promotions HR confirms later (DemoSet.promotions): not in the roster's history, but the
    # sessions after their date are already those of the new level.
    planned: list[LevelStep] = field(default_factory=list)
    leave: tuple[dt.date, dt.date] | None = None  # first and last day off air (sick leave)

    @property
    def hire_date(self) -> dt.date:
        return self.history[0].effective_on

    @property
    def level(self) -> str:
        return self.history[-1].to_level

    @property
    def level_since(self) -> dt.date:
        return self.history[-1].effective_on

    @property
    def login(self) -> str:
        return self.employee_no.lower()

    def level_on(self, day: dt.date) -> str:
        """The level held on `day`, the planned promotions included."""
        level = self.history[0].to_level
        for step in self.history + self.planned:
            if step.effective_on <= day:
                level = step.to_level
        return level

    def form_on(self, day: dt.date) -> float:
        """The streamer's form in the quarter of `day`, on an everyday (not festival) day."""
        season = 1.0 if _festival(day) else data.SEASON_FORM.get((day.month + 2) // 3, 1.0)
        return self.form.get(quarter_code(day), 1.0) * season

    def on_leave(self, day: dt.date) -> bool:
        return self.leave is not None and self.leave[0] <= day <= self.leave[1]


@dataclass(frozen=True)
class DemoSession:
    streamer: int  # index of the room's owner
    account: int  # index into that streamer's accounts
    hosts: tuple[tuple[int, int], ...]  # (streamer index, share in basis points)
    values: dict[str, Any]  # live_sessions columns except the account and batch ids


@dataclass(frozen=True)
class DemoTraining:
    streamer: int
    module: str
    completed_on: dt.date
    score: float
    trainer: str
    rubric_scores: dict[str, int] = field(default_factory=dict)  # 0–10 per dimension
    notes: str = ""


@dataclass(frozen=True)
class DemoPromotion:
    """A promotion HR confirms once `earned_in` is appraised (and found the streamer eligible)."""

    streamer: int
    to_level: str
    earned_in: str  # quarter code
    effective_on: dt.date
    reason: Message


@dataclass(frozen=True)
class GrownRefund:
    """A later export of a stored session: the refunds grew after its quarter was finalized."""

    session: int  # index into DemoSet.sessions
    refunds_fen: int
    refund_orders: int


@dataclass
class DemoSet:
    today: dt.date
    streamers: list[DemoStreamer]
    sessions: list[DemoSession] = field(default_factory=list)
    training: list[DemoTraining] = field(default_factory=list)
    promotions: list[DemoPromotion] = field(default_factory=list)
    # Late data of the last finalized quarter, imported after finalizing it.
    late_sessions: list[DemoSession] = field(default_factory=list)
    grown_refunds: list[GrownRefund] = field(default_factory=list)

    @property
    def quarters(self) -> list[DemoQuarter]:
        return demo_quarters(self.today)

    @property
    def first_day(self) -> dt.date:
        """A year back, or further when the oldest appraised quarter starts earlier."""
        return min(self.today - YEAR_DAYS * DAY, self.quarters[0].first)

    @property
    def late_quarter(self) -> DemoQuarter:
        """The quarter the late data belongs to: the newest finalized one."""
        return self.quarters[-2]


def build_demo_set(
    today: dt.date,
    zone: ZoneInfo,
    count: int = data.DEFAULT_STREAMERS,
    seed: int = data.SEED,
) -> DemoSet:
    """The whole demo agency for `count` streamers, as of `today` in `zone`."""
    rng = random.Random(seed)
    demo = DemoSet(today=today, streamers=_roster(rng, today, count))
    demo.promotions = _plan_promotions(rng, demo)
    _plan_leave(rng, demo)
    demo.sessions = _sessions(rng, demo, zone)
    demo.training = _training(rng, demo)
    demo.late_sessions, demo.grown_refunds = _late_data(rng, demo, zone)
    return demo


# --- roster -------------------------------------------------------------------------------


def _roster(rng: random.Random, today: dt.date, count: int) -> list[DemoStreamer]:
    names = _unique_names(rng, count)
    levels = _levels(rng, count)
    form_quarters = [q.code for q in demo_quarters(today)] + [quarter_code(today)]
    used_ids: set[str] = set()
    streamers = []
    for i, ((surname, given), level) in enumerate(zip(names, levels, strict=True)):
        category = data.CATEGORIES[i % len(data.CATEGORIES)]
        history = _level_history(rng, level, today)
        stage_name = _stage_name(given, i)
        streamers.append(
            DemoStreamer(
                employee_no=f"E{data.FIRST_EMPLOYEE_NO + i}",
                legal_name=surname + given,
                stage_name=stage_name,
                date_of_birth=_date_of_birth(rng, history[0].effective_on),
                category=category,
                team=data.TEAMS[(i // len(data.CATEGORIES)) % len(data.TEAMS)],
                persona=rng.choice(data.PERSONAS[category]),
                history=history,
                accounts=_accounts(rng, i, stage_name, category, used_ids),
                skill=_skill(rng),
                sessions_per_week=rng.uniform(*data.LEVEL_PROFILES[level].sessions_per_week),
                form={code: rng.lognormvariate(0, data.FORM_SIGMA) for code in form_quarters},
            )
        )
    _assign_mentors(rng, streamers)
    return streamers


def _skill(rng: random.Random) -> float:
    """Most streamers fall a little short of their targets (grades A and B), a few far
    exceed them (S) and a few fall far short (C, D)."""
    if rng.random() < data.STRUGGLING_SHARE:
        return rng.uniform(*data.STRUGGLING_SKILL)
    low, high = data.SKILL_RANGE
    return min(high, max(low, rng.lognormvariate(math.log(data.SKILL_MEDIAN), data.SKILL_SIGMA)))


def _unique_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = [(s, g) for s in data.SURNAMES for g in data.GIVEN_NAMES]
    return rng.sample(pairs, count)


def _stage_name(given: str, index: int) -> str:
    """A stage name (艺名) from the given name, in a pattern that rotates along the roster."""
    pattern = data.STAGE_NAME_PATTERNS[index % len(data.STAGE_NAME_PATTERNS)]
    return pattern.format(a=given[0], b=given[-1])


def _levels(rng: random.Random, count: int) -> list[str]:
    """Levels dealt round the categories (so each has its mentors), shuffled within each."""
    mentors = max(1, round(count * data.MENTOR_SHARE))
    seniors = max(1, round(count * data.SENIOR_SHARE))
    levels = ["mentor"] * mentors + ["senior"] * seniors
    levels += ["assistant"] * (count - len(levels))
    step = len(data.CATEGORIES)
    for first in range(step):
        same_category = levels[first::step]
        rng.shuffle(same_category)
        levels[first::step] = same_category
    return levels


def _level_history(rng: random.Random, level: str, today: dt.date) -> list[LevelStep]:
    """Hired as an assistant; seniors and mentors were promoted after the required time.

    Every promotion of the roster's history predates the appraised quarters: the promotions
    inside them are the ones HR confirms (`_plan_promotions`)."""
    steps = []
    appraised_from = demo_quarters(today)[0].first
    promoted = appraised_from - rng.randint(1, 740) * DAY  # the latest promotion
    if level == "mentor":
        steps.append(LevelStep("senior", "mentor", promoted, MENTOR_CERTIFIED))
        promoted -= rng.randint(365, 700) * DAY  # at least a year as a senior
    if level == "assistant":
        hired = today - rng.randint(45, 1100) * DAY
    else:
        steps.append(LevelStep("assistant", "senior", promoted, TWO_GOOD_QUARTERS))
        hired = promoted - rng.randint(240, 560) * DAY  # at least eight months as an assistant
    steps.append(LevelStep(None, "assistant", hired, HIRED))
    return steps[::-1]


def _date_of_birth(rng: random.Random, hired: dt.date) -> dt.date:
    # At least 18 years and a few days before the hire date: adult at hire, and so today.
    return hired - rng.randint(18 * 365 + 10, 30 * 365) * DAY


def _accounts(
    rng: random.Random, index: int, stage_name: str, category: str, used: set[str]
) -> list[DemoAccount]:
    def fresh(make: Callable[[], str]) -> str:
        while (value := make()) in used:
            pass
        used.add(value)
        return value

    def douyin_id() -> str:
        if rng.random() < 0.25:  # short old ids that start with zeros
            return f"0{rng.randint(0, 9_999_999):07d}"
        return str(rng.randint(10**7, 10**10))

    accounts = [DemoAccount("douyin", fresh(douyin_id), f"{stage_name}的直播间")]
    # Every eighth streamer also runs a room elsewhere, alternating Taobao and TikTok Shop.
    if index % 8 == 5:
        if (index // 8) % 2 == 0:
            taobao_id = fresh(lambda: str(rng.randint(10**9, 10**11)))
            accounts.append(
                DemoAccount("taobao", taobao_id, f"{stage_name}·{data.CATEGORY_ZH[category]}好物")
            )
        else:
            tiktok_id = fresh(lambda: str(rng.randint(7 * 10**18, 8 * 10**18)))
            accounts.append(DemoAccount("tiktok", tiktok_id, f"{stage_name} LIVE"))
    return accounts


def _assign_mentors(rng: random.Random, streamers: list[DemoStreamer]) -> None:
    """About half the assistants have a mentor, from their own category when there is one."""
    mentors = [i for i, s in enumerate(streamers) if s.level == "mentor"]
    for streamer in streamers:
        if streamer.level != "assistant" or rng.random() < 0.5:
            continue
        same = [m for m in mentors if streamers[m].category == streamer.category]
        streamer.mentor = rng.choice(same or mentors)


# --- promotions ---------------------------------------------------------------------------


def _plan_promotions(rng: random.Random, demo: DemoSet) -> list[DemoPromotion]:
    """A few steady assistants earn their promotion to senior, as the default scheme wants it
    (grade A or better in two consecutive quarters, 400 on-air hours, the modules passed).

    HR confirms the first on the default day (the first day of the next quarter) and, of the
    two earned in the last finalized quarter, one in the middle of the open quarter (which is
    then appraised at a blend of the two levels) and one on the default day. A small agency
    gets the first ones only.
    """
    quarters = demo.quarters
    plans = [
        (quarters[1], quarters[2].first, TWO_GOOD_QUARTERS),
        (quarters[2], quarters[3].first + data.MID_QUARTER_DAYS * DAY, PROMOTED_WITH_NEW_ROOM),
        (quarters[2], quarters[3].first, TWO_GOOD_QUARTERS),
    ]
    # Assistants of their own (no mentor) with a full oldest quarter on air.
    steady = [
        i
        for i, s in enumerate(demo.streamers)
        if s.level == "assistant"
        and s.mentor is None
        and s.hire_date + 14 * DAY <= quarters[0].first
    ]
    chosen = rng.sample(steady, min(len(steady), len(plans)))
    promotions = []
    for index, (earned, effective_on, text) in zip(chosen, plans, strict=False):
        streamer = demo.streamers[index]
        streamer.skill = rng.uniform(*data.STEADY_SKILL)
        streamer.sessions_per_week = rng.uniform(*data.STEADY_SESSIONS_PER_WEEK)
        streamer.form = {}  # no bad quarter
        streamer.planned = [LevelStep("assistant", "senior", effective_on, text)]
        promotions.append(DemoPromotion(index, "senior", earned.code, effective_on, text))
    return promotions


def _plan_leave(rng: random.Random, demo: DemoSet) -> None:
    """Two streamers go on sick leave early in a quarter (the open one and an older one): too
    few on-air hours to be graded that quarter. Not those about to be promoted, and nobody in
    an agency too small to miss them."""
    if len(demo.streamers) < data.LEAVE_MIN_STREAMERS:
        return
    promoted = {p.streamer for p in demo.promotions}
    quarters = demo.quarters
    for quarter in (quarters[-1], quarters[1]):
        present = [
            i
            for i, s in enumerate(demo.streamers)
            if i not in promoted
            and s.leave is None
            and s.hire_date + 14 * DAY <= quarter.first
            and s.level != "mentor"  # mentors take their mentees on air
        ]
        if present:
            first = quarter.first + data.LEAVE_AFTER_DAYS * DAY
            demo.streamers[rng.choice(present)].leave = (first, first + data.LEAVE_DAYS * DAY)


# --- sessions -----------------------------------------------------------------------------


def _sessions(rng: random.Random, demo: DemoSet, zone: ZoneInfo) -> list[DemoSession]:
    # Nothing may end after the last full day: sessions crossing into `today` are dropped.
    limit = dt.datetime.combine(demo.today, dt.time(), tzinfo=zone)
    sprinter, sprint_monday = _sprint(demo)
    sessions: list[DemoSession] = []
    for index, streamer in enumerate(demo.streamers):
        first = max(demo.first_day, streamer.hire_date + 7 * DAY)  # a week of onboarding
        for week in _calendar_weeks(first, demo.today):
            # Drawn in the sprint week too, so the rest of the agency stays as it was.
            days = _session_days(rng, streamer, week)
            sprinting = index == sprinter and week[0] == sprint_monday
            days = [d for d in days if not streamer.on_leave(d)]
            for session_day in week[:6] if sprinting else days:
                session = _one_session(rng, index, streamer, session_day, zone, sprinting)
                if session.values["ended_at"] <= limit:
                    sessions.append(session)
    _add_co_hosts(rng, demo.streamers, sessions)
    return sessions


def _sprint(demo: DemoSet) -> tuple[int | None, dt.date | None]:
    """The 双11 pre-sale sprint: the first senior streams all day from Monday to Saturday of
    the last full week before 11 November, over 44 hours on air (what the care page flags)."""
    for year in (demo.today.year, demo.today.year - 1):
        festival = dt.date(year, 11, 11)
        monday = festival - (festival.weekday() + 7) * DAY
        if demo.first_day <= monday and monday + 7 * DAY <= demo.today:
            break
    else:  # pragma: no cover - a year of sessions always holds such a week
        return None, None
    seniors = [i for i, s in enumerate(demo.streamers) if s.level_on(monday) == "senior"]
    return (seniors[0] if seniors else None), monday


def _calendar_weeks(first: dt.date, end: dt.date) -> list[list[dt.date]]:
    """The days from `first` until before `end`, grouped by Monday-to-Sunday week."""
    weeks: list[list[dt.date]] = []
    day = first
    while day < end:
        if not weeks or day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(day)
        day += DAY
    return weeks


def _session_days(rng: random.Random, streamer: DemoStreamer, week: list[dt.date]) -> list[dt.date]:
    """3–6 days a week around the streamer's habit; nobody skips a shopping festival."""
    wanted = min(len(week), max(3, min(6, round(rng.gauss(streamer.sessions_per_week, 0.8)))))
    festivals = [d for d in week if _festival(d)]
    others = [d for d in week if d not in festivals]
    chosen = festivals + rng.sample(others, max(0, min(len(others), wanted - len(festivals))))
    return sorted(chosen)


def _festival(day: dt.date) -> str | None:
    return data.FESTIVALS.get((day.month, day.day))


def _one_session(
    rng: random.Random,
    index: int,
    streamer: DemoStreamer,
    day: dt.date,
    zone: ZoneInfo,
    sprinting: bool = False,
) -> DemoSession:
    level = streamer.level_on(day)
    festival = _festival(day)
    if sprinting:  # noon till evening, every day of the pre-sale week
        start_hour, hours, boost = rng.uniform(11, 12), rng.uniform(8.1, 8.6), 1.8
    else:
        start_hour, hours, boost = _slot(rng, level, festival)
    if day.weekday() >= 5:
        boost *= 1.15
    # To the second, as platforms export it (a later export then matches the stored session).
    started = dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(
        seconds=int(start_hour * 3600) // 60 * 60 + rng.randint(0, 59)
    )
    seconds = round(hours * 3600) + rng.randint(0, 59)
    account = 1 if len(streamer.accounts) > 1 and rng.random() < 0.25 else 0
    platform = streamer.accounts[account].platform
    values = {
        "started_at": started.astimezone(dt.UTC),
        "ended_at": (started + dt.timedelta(seconds=seconds)).astimezone(dt.UTC),
        "on_air_seconds": seconds,
        **_metrics(rng, streamer, level, seconds, boost, streamer.form_on(day)),
        **_platform_fields(rng, streamer, platform, festival),
    }
    return DemoSession(index, account, ((index, 10_000),), values)


def _slot(rng: random.Random, level: str, festival: str | None) -> tuple[float, float, float]:
    """(start hour, duration in hours, GMV boost): evenings mostly, a few marathons."""
    if festival in data.MARATHON_FESTIVALS and level == "senior":
        return rng.uniform(12, 14), rng.uniform(8.3, 10.5), rng.uniform(2.0, 3.0)
    boost = rng.uniform(2.0, 3.0) if festival else 1.0
    draw = rng.random()
    if draw < 0.72:  # prime time: starts 19:00–20:00, off air before midnight
        start = rng.uniform(19, 20)
        return start, rng.uniform(2.5, min(5, 23.9 - start)), boost
    if draw < 0.94:  # afternoons draw fewer viewers
        return rng.uniform(13, 15.5), rng.uniform(2.5, 5), boost * 0.7
    return rng.uniform(21.5, 22.5), rng.uniform(2.5, 4), boost  # late shows cross midnight


def _metrics(
    rng: random.Random,
    streamer: DemoStreamer,
    level: str,
    seconds: int,
    boost: float,
    form: float = 1.0,
) -> dict[str, Any]:
    """Consistent figures: buyers ≤ viewers ≤ views, orders ≥ buyers, refunds ≤ GMV.

    The streamer's skill in the quarter's `form` scales what they sell, how long viewers
    stay and how many follow: the three things the default scheme scores."""
    profile = data.LEVEL_PROFILES[level]
    hours = seconds / 3600
    luck = rng.lognormvariate(0, 0.35)
    skill = streamer.skill * form
    gmv_yuan = profile.gmv_per_hour_yuan * hours * skill * boost * luck
    gmv_fen = max(100, round(gmv_yuan * 100))
    orders = max(1, round(gmv_yuan / rng.uniform(*data.AOV_YUAN[streamer.category])))
    buyers = max(1, min(orders, round(orders / rng.uniform(1.03, 1.2))))
    conversion = min(0.08, rng.uniform(0.012, 0.045) * skill**0.3)
    viewers = max(buyers, round(buyers / conversion))
    views = round(viewers * rng.uniform(1.25, 1.8))
    avg_watch = round(profile.avg_watch_seconds * skill**0.4 * rng.uniform(0.85, 1.15), 1)
    avg_online = max(1, round(views * avg_watch / seconds))
    new_followers = round(profile.new_followers_per_hour * hours * skill * boost**0.5 * luck**0.5)
    new_followers = min(new_followers, viewers // 5)
    refund_rate = rng.uniform(*data.REFUND_RATE[streamer.category])
    refunds_fen = round(gmv_fen * refund_rate)
    refunds_1h_fen = round(refunds_fen * rng.uniform(0.15, 0.4))
    return {
        "viewers": viewers,
        "views": views,
        "avg_online": avg_online,
        "peak_online": round(avg_online * rng.uniform(2.0, 4.0)),
        "avg_watch_seconds": avg_watch,
        "comments": round(viewers * rng.uniform(0.06, 0.3)),
        "new_followers": new_followers,
        "unfollows": round(new_followers * rng.uniform(0.04, 0.15)),
        "orders": orders,
        "buyers": buyers,
        "items_sold": round(orders * rng.uniform(1.0, 1.35)),
        "refund_orders": min(orders, round(orders * refund_rate * rng.uniform(0.8, 1.2))),
        "gmv_fen": gmv_fen,
        "buyer_paid_fen": round(gmv_fen * rng.uniform(0.9, 0.98)),
        "refunds_fen": refunds_fen,
        "refunds_1h_fen": refunds_1h_fen,
        "platform_net_fen": gmv_fen - refunds_1h_fen,
        "ad_spend_fen": round(gmv_fen * rng.uniform(0.03, 0.12)) if rng.random() < 0.6 else 0,
    }


def _platform_fields(
    rng: random.Random, streamer: DemoStreamer, platform: str, festival: str | None
) -> dict[str, Any]:
    """What differs by platform: Taobao has session ids and titles; TikTok sells in dollars.

    Every session gets every key, so that the rows insert in one executemany.
    """
    fields: dict[str, Any] = {
        "platform_session_id": None,
        "title": None,
        "currency": "CNY",
        "fx_rate": "1",
    }
    if platform == "taobao":
        theme = festival or f"{data.CATEGORY_ZH[streamer.category]}专场"
        fields["platform_session_id"] = str(rng.randint(10**11, 10**12))
        fields["title"] = f"{streamer.stage_name}的{theme}"
    elif platform == "tiktok":
        # Stored in the organisation's currency; the export's currency and rate are kept.
        fields.update(currency="USD", fx_rate=data.USD_RATE)
    return fields


def _add_co_hosts(
    rng: random.Random, streamers: list[DemoStreamer], sessions: list[DemoSession]
) -> None:
    """A mentor takes each mentee on air a few times: the mentor's session gets two hosts."""
    by_owner: dict[int, list[int]] = {}
    for position, session in enumerate(sessions):
        by_owner.setdefault(session.streamer, []).append(position)
    for mentee, streamer in enumerate(streamers):
        if streamer.mentor is None:
            continue
        candidates = [
            p
            for p in by_owner.get(streamer.mentor, [])
            if len(sessions[p].hosts) == 1
            and sessions[p].values["started_at"].date() > streamer.hire_date + 7 * DAY
            and not streamer.on_leave(sessions[p].values["started_at"].date())
        ]
        for position in rng.sample(candidates, min(len(candidates), rng.randint(1, 3))):
            mentor_share, mentee_share = rng.choice(CO_HOST_SHARES)
            hosts = ((streamer.mentor, mentor_share), (mentee, mentee_share))
            sessions[position] = dataclasses.replace(sessions[position], hosts=hosts)


# --- late data ----------------------------------------------------------------------------


def _late_data(
    rng: random.Random, demo: DemoSet, zone: ZoneInfo
) -> tuple[list[DemoSession], list[GrownRefund]]:
    """What a later export of the last finalized quarter's final four weeks brings: a few
    sessions that were missing (their streamers are owed a top-up) and returns that came in
    after the quarter closed (a clawback). Streamers with a planned promotion are left out."""
    quarter = demo.late_quarter
    first = quarter.last - (data.LATE_DAYS - 1) * DAY
    promoted = {p.streamer for p in demo.promotions}
    recent: dict[int, list[int]] = {}  # owner → their own, solo, first-room sessions
    for position, session in enumerate(demo.sessions):
        day = session.values["started_at"].astimezone(zone).date()
        if first <= day <= quarter.last and session.account == 0 and len(session.hosts) == 1:
            recent.setdefault(session.streamer, []).append(position)
    owners = sorted(i for i, found in recent.items() if len(found) >= 6 and i not in promoted)
    chosen = rng.sample(owners, min(len(owners), data.LATE_TOP_UPS + data.LATE_CLAWBACKS))
    late = []
    for index in chosen[: data.LATE_TOP_UPS]:
        busy = {
            demo.sessions[p].values["started_at"].astimezone(zone).date() for p in recent[index]
        }
        free = [first + k * DAY for k in range(data.LATE_DAYS)]
        free = [day for day in free if day not in busy]
        for day in sorted(rng.sample(free, min(len(free), rng.randint(2, 3)))):
            late.append(_one_session(rng, index, demo.streamers[index], day, zone))
    grown = []
    for index in chosen[data.LATE_TOP_UPS :]:
        for position in sorted(rng.sample(recent[index], rng.randint(3, 5))):
            values = demo.sessions[position].values
            more = rng.uniform(*data.LATE_RETURNS)  # of the session's GMV
            refunds = min(
                values["gmv_fen"], values["refunds_fen"] + round(values["gmv_fen"] * more)
            )
            orders = min(values["orders"], values["refund_orders"] + round(values["orders"] * more))
            grown.append(GrownRefund(position, refunds, orders))
    return late, grown


# --- training -----------------------------------------------------------------------------


PASS_MARKS = {m["code"]: m["pass_mark"] or 0 for m in DEFAULT_CURRICULUM}
RUBRIC_KEYS = {m["code"]: [d["key"] for d in m["rubric"]] for m in DEFAULT_CURRICULUM}


def _training(rng: random.Random, demo: DemoSet) -> list[DemoTraining]:
    records: list[DemoTraining] = []
    earned = {
        p.streamer: next(q.last for q in demo.quarters if q.code == p.earned_in)
        for p in demo.promotions
    }
    for index, streamer in enumerate(demo.streamers):
        taken = _basic_modules(rng, streamer, demo.today)
        taken += _promotion_modules(rng, streamer, demo.today, earned.get(index))
        for code, day, score in taken:
            records += _with_retake(rng, index, code, day, score, demo.today)
    return records


def _score(rng: random.Random, streamer: DemoStreamer) -> int:
    return max(50, min(100, round(rng.gauss(72 + 10 * streamer.skill, 8))))


def _basic_modules(
    rng: random.Random, streamer: DemoStreamer, today: dt.date
) -> list[tuple[str, dt.date, int]]:
    """The onboarding modules in the first half year, and COMPLIANCE-1 renewed every year."""
    hired = streamer.hire_date
    # A streamer on the way to promotion passes every module the first time (COMPLIANCE-1
    # with the 80 the promotion asks for), so no renewal gap spoils the checklist.
    floor = data.PROMOTION_MIN_SCORE if streamer.planned else 0
    taken = []
    for code in data.ASSISTANT_MODULES:
        day = hired + rng.randint(7, 180) * DAY
        taken.append((code, day, max(floor, _score(rng, streamer))))
        if code == "COMPLIANCE-1":
            while (day := day + rng.randint(330, 360) * DAY) < today:
                taken.append((code, day, max(floor, _score(rng, streamer))))
    if streamer.level == "assistant" and rng.random() < 0.6:
        taken.append(("PRACTICAL-1", hired + rng.randint(150, 400) * DAY, _score(rng, streamer)))
    return [t for t in taken if t[1] < today]


def _promotion_modules(
    rng: random.Random, streamer: DemoStreamer, today: dt.date, earned_last: dt.date | None
) -> list[tuple[str, dt.date, int]]:
    """Seniors and mentors passed the assessment their promotion required; a planned
    promotion's before the end of the quarter that earns it (`earned_last`)."""
    taken = []
    for step in streamer.history[1:] + streamer.planned:
        code = "PRACTICAL-1" if step.to_level == "senior" else "MENTOR-1"
        before = earned_last if step in streamer.planned and earned_last else step.effective_on
        day = before - rng.randint(14, 60) * DAY
        taken.append((code, day, rng.randint(int(PASS_MARKS[code]), 98)))
    if streamer.level == "senior" and rng.random() < 0.3:  # working towards mentor
        taken.append(("MENTOR-1", today - rng.randint(10, 90) * DAY, _score(rng, streamer)))
    return taken


def _with_retake(
    rng: random.Random, index: int, code: str, day: dt.date, score: int, today: dt.date
) -> list[DemoTraining]:
    """The record, and when it failed a later retake that passed (if there was time yet)."""
    trainer = rng.choice(data.TRAINERS)
    records = [_record(rng, index, code, day, score, trainer)]
    retake_day = day + rng.randint(14, 45) * DAY
    if score < PASS_MARKS[code] and retake_day < today:
        retake_score = rng.randint(int(PASS_MARKS[code]), 95)
        records.append(_record(rng, index, code, retake_day, retake_score, trainer, RETAKE_NOTE))
    return records


def _record(
    rng: random.Random,
    index: int,
    code: str,
    day: dt.date,
    score: int,
    trainer: str,
    notes: str = "",
) -> DemoTraining:
    """A record; assessed modules with a rubric get dimension scores that make up the score."""
    keys = RUBRIC_KEYS[code]
    if not keys:
        return DemoTraining(index, code, day, score, trainer, notes=notes)
    points = _split(rng, round(score * len(keys) / RUBRIC_MAX), len(keys))
    total = round(sum(points) / len(keys) * 100 / RUBRIC_MAX, 1)
    return DemoTraining(
        index, code, day, total, trainer, dict(zip(keys, points, strict=True)), notes
    )


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` points over `parts` dimensions of 0–10, unevenly, as a real assessment is."""
    points = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts * 2):
        give, take = rng.randrange(parts), rng.randrange(parts)
        if points[give] > 0 and points[take] < RUBRIC_MAX:
            points[give] -= 1
            points[take] += 1
    return points
