"""The export formats we recognise: which header feeds which canonical field, in which unit.

Each profile lists, per field, the header aliases in priority order (the first alias is the one
named in "missing column" messages) and how the cell text is read. Headers are compared after
`hrapp.intake.headers.normalize_header` (spaces, case and full-width brackets do not matter) and
a leading 直播间 is ignored; the platform profiles also accept the spellings domain.md lists
(`hrapp.intake.headers.SYNONYMS`) after their own aliases (see `headers`).

The profiles stay here, with the session readers, rather than under `hrapp.intake`: they are
the session import's knowledge (fields, units, names in the reader's language) and the intake
is a floor that knows no feature.

Field names are the canonical column names, plus two that feed them:
``duration`` (the exported on-air time, used when start or end is missing) and
``session_time`` (one cell holding "start-end", Douyin 直播大屏).

Assumed layouts (no public specification exists; adjust the aliases when real files differ):

- Taobao Live agency export: 主播昵称, 主播ID, 场次id, 场次标题, 开播时间, 结束时间,
  开播时长(分钟), 直播间浏览人数, 直播间浏览次数, 最高在线人数, 平均在线人数,
  人均停留时长(秒), 评论次数, 新增粉丝量, 取关粉丝量, 成交笔数, 成交人数, 成交件数,
  种草成交金额(元), 退款笔数, 退款金额(元).
- TikTok Shop LIVE analysis: Creator ID, Creator, LIVE ID, LIVE title, Launched Time,
  Duration (bare numbers are seconds), Revenue (<currency>), Orders Paid, Buyers, Items Sold,
  Viewers, Views, ACU, PCU, Avg. Viewing Duration (bare numbers are seconds), Comments,
  New Followers, Refunds (<currency>).
- Douyin 直播大屏: 达人昵称, 抖音号or火山号, 直播时间, 直播时长, 累计观看人数, 观看次数,
  最高在线人数, 平均在线人数, 人均观看时长, 评论次数, 新增粉丝数, 成交订单数, 成交人数,
  成交件数, 成交金额, 用户支付金额, 退款金额; durations are text like 2小时6分33秒 (bare
  numbers are seconds). Rate columns (转化率 …) are ignored: ratios are recomputed from sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from hrapp.core import labels

from .model import COUNT_COLUMNS


class Kind(Enum):
    """How a cell's text becomes a canonical value."""

    TEXT = auto()  # free text, trimmed
    ID = auto()  # identifier text: leading zeros kept, Excel ="…" guard removed
    INSTANT = auto()  # local or offset date-time → UTC
    RANGE = auto()  # "start-end" in one cell → started_at and ended_at
    COUNT = auto()  # non-negative integer
    MONEY = auto()  # non-negative amount → integer minor units
    SIGNED_MONEY = auto()  # amount that may be negative → integer minor units
    DURATION = auto()  # time span → seconds
    PLATFORM = auto()  # template: platform name
    CURRENCY = auto()  # template: ISO currency code
    HOSTS = auto()  # template: co-hosts and shares


MONEY_KINDS = frozenset({Kind.MONEY, Kind.SIGNED_MONEY})

# Minor-unit exponent of each currency we accept (ISO 4217).
CURRENCY_EXPONENTS = {
    "CNY": 2,
    "USD": 2,
    "HKD": 2,
    "TWD": 2,
    "SGD": 2,
    "MYR": 2,
    "THB": 2,
    "PHP": 2,
    "IDR": 2,
    "GBP": 2,
    "EUR": 2,
    "VND": 0,
    "JPY": 0,
    "KRW": 0,
}
# How a currency is written in a header bracket, e.g. "Revenue ($)", "成交金额(元)".
CURRENCY_TOKENS = {
    **{code.casefold(): code for code in CURRENCY_EXPONENTS},
    "$": "USD",
    "us$": "USD",
    "¥": "CNY",
    "元": "CNY",
    "rmb": "CNY",
    "€": "EUR",
    "£": "GBP",
    "rm": "MYR",
    "฿": "THB",
    "₫": "VND",
    "₱": "PHP",
    "s$": "SGD",
    "rp": "IDR",
}


@dataclass(frozen=True)
class FieldSpec:
    field: str
    kind: Kind
    aliases: tuple[str, ...]
    required: bool = False
    unit_seconds: int = 1  # what a bare number means in a DURATION cell


@dataclass(frozen=True)
class Profile:
    name: str  # the format's code, stored on an import batch
    label: LazyString  # what people call the format, in their language
    platform: str | None  # None: the template's platform column decides
    default_currency: str | None  # None: the money headers must say
    fields: tuple[FieldSpec, ...]
    # Whether a field unmatched by its aliases may be found by the spellings domain.md lists
    # (`hrapp.intake.headers.SYNONYMS`): the platform exports, whose layouts are guesses. The
    # template and HR's column mappings name their headers exactly.
    use_synonyms: bool = False


def _f(field: str, kind: Kind, *aliases: str, required: bool = False, unit: int = 1) -> FieldSpec:
    return FieldSpec(field, kind, aliases, required, unit)


C, M = Kind.COUNT, Kind.MONEY

DOUYIN_COMPASS = Profile(
    "douyin_compass",
    _l("Douyin Compass (电商罗盘) session list"),
    "douyin",
    "CNY",
    (
        _f("account_id", Kind.ID, "主播抖音号", "抖音号", required=True),
        _f("nickname", Kind.TEXT, "主播昵称"),
        _f("started_at", Kind.INSTANT, "直播开始时间", required=True),
        _f("ended_at", Kind.INSTANT, "直播结束时间"),
        _f("duration", Kind.DURATION, "直播时长(分钟)", unit=60),
        _f("viewers", C, "直播间观看人数"),
        _f("views", C, "直播间观看次数"),
        _f("peak_online", C, "最高在线人数"),
        _f("avg_online", C, "平均在线人数"),
        _f("avg_watch_seconds", Kind.DURATION, "人均观看时长(分钟)", unit=60),
        _f("comments", C, "评论次数"),
        _f("new_followers", C, "新增粉丝数"),
        _f("unfollows", C, "取关粉丝数"),
        _f("orders", C, "直播间成交订单数"),
        _f("buyers", C, "直播间成交人数"),
        _f("items_sold", C, "直播间成交件数"),
        _f("refund_orders", C, "直播间退款订单数"),
        _f("gmv_minor", M, "直播间成交金额", required=True),
        _f("buyer_paid_minor", M, "直播间用户支付金额"),
        _f("refunds_minor", M, "直播间退款金额"),
        _f("platform_net_minor", Kind.SIGNED_MONEY, "净成交金额"),
        _f("refunds_1h_minor", M, "1小时退款金额"),
        _f("ad_spend_minor", M, "投放消耗(店铺绑定)", "投放消耗"),
    ),
    use_synonyms=True,
)

DOUYIN_SCREEN = Profile(
    "douyin_screen",
    _l("Douyin live dashboard (直播大屏) export"),
    "douyin",
    "CNY",
    (
        _f("account_id", Kind.ID, "抖音号or火山号", "抖音号或火山号", required=True),
        _f("nickname", Kind.TEXT, "达人昵称"),
        _f("session_time", Kind.RANGE, "直播时间", required=True),
        _f("duration", Kind.DURATION, "直播时长"),
        _f("viewers", C, "累计观看人数", "观看人数"),
        _f("views", C, "观看次数"),
        _f("peak_online", C, "最高在线人数", "最高在线"),
        _f("avg_online", C, "平均在线人数", "平均在线"),
        _f("avg_watch_seconds", Kind.DURATION, "人均观看时长"),
        _f("comments", C, "评论次数"),
        _f("new_followers", C, "新增粉丝数", "新增粉丝"),
        _f("unfollows", C, "取关粉丝数"),
        _f("orders", C, "成交订单数"),
        _f("buyers", C, "成交人数"),
        _f("items_sold", C, "成交件数"),
        _f("refund_orders", C, "退款订单数"),
        _f("gmv_minor", M, "成交金额", required=True),
        _f("buyer_paid_minor", M, "用户支付金额"),
        _f("refunds_minor", M, "退款金额"),
    ),
    use_synonyms=True,
)

# The per-session download (整场数据下载) is read sheet by sheet (`dashboard_workbook`), never
# matched by headers: these specs say how each value found there is read.
DOUYIN_SESSION = Profile(
    "douyin_session",
    _l("Douyin live dashboard per-session download (整场数据)"),
    "douyin",
    "CNY",
    (
        _f("account_id", Kind.ID, "抖音号or火山号", required=True),
        _f("nickname", Kind.TEXT, "达人昵称"),
        _f("session_time", Kind.RANGE, "直播时间", required=True),
        _f("duration", Kind.DURATION, "直播时长"),
        _f("viewers", C, "直播间观看人数"),
        _f("views", C, "直播间观看次数"),
        _f("peak_online", C, "最高在线人数"),
        _f("avg_online", C, "平均在线人数"),
        _f("avg_watch_seconds", Kind.DURATION, "人均观看时长"),
        _f("comments", C, "评论次数"),
        _f("new_followers", C, "新增粉丝数"),
        _f("orders", C, "成交订单数"),
        _f("buyers", C, "成交人数"),
        _f("items_sold", C, "成交件数"),
        _f("gmv_minor", M, "直播间用户支付金额", required=True),
        _f("buyer_paid_minor", M, "直播间用户支付金额"),
    ),
)

TAOBAO = Profile(
    "taobao",
    _l("Taobao Live agency export"),
    "taobao",
    "CNY",
    (
        _f("account_id", Kind.ID, "主播ID", "账号ID", required=True),
        _f("nickname", Kind.TEXT, "主播昵称", "主播名称"),
        _f("platform_session_id", Kind.ID, "场次id", "直播id"),
        _f("title", Kind.TEXT, "场次标题", "直播标题"),
        _f("started_at", Kind.INSTANT, "开播时间", required=True),
        _f("ended_at", Kind.INSTANT, "结束时间", "下播时间"),
        _f("duration", Kind.DURATION, "开播时长(分钟)", unit=60),
        _f("viewers", C, "直播间浏览人数"),
        _f("views", C, "直播间浏览次数"),
        _f("peak_online", C, "最高在线人数"),
        _f("avg_online", C, "平均在线人数"),
        _f("avg_watch_seconds", Kind.DURATION, "人均停留时长(秒)"),
        _f("comments", C, "评论次数"),
        _f("new_followers", C, "新增粉丝量"),
        _f("unfollows", C, "取关粉丝量"),
        _f("orders", C, "成交笔数"),
        _f("buyers", C, "成交人数"),
        _f("items_sold", C, "成交件数"),
        _f("refund_orders", C, "退款笔数"),
        _f("gmv_minor", M, "种草成交金额", "成交金额", required=True),
        _f("refunds_minor", M, "退款金额"),
    ),
    use_synonyms=True,
)

TIKTOK = Profile(
    "tiktok",
    _l("TikTok Shop LIVE analysis"),
    "tiktok",
    None,
    (
        _f("account_id", Kind.ID, "Creator ID", required=True),
        _f("nickname", Kind.TEXT, "Creator", "Creator name"),
        _f("platform_session_id", Kind.ID, "LIVE ID"),
        _f("title", Kind.TEXT, "LIVE title", "LIVE name"),
        _f("started_at", Kind.INSTANT, "Launched Time", required=True),
        _f("duration", Kind.DURATION, "Duration"),
        _f("viewers", C, "Viewers"),
        _f("views", C, "Views"),
        _f("peak_online", C, "PCU"),
        _f("avg_online", C, "ACU"),
        _f("avg_watch_seconds", Kind.DURATION, "Avg. Viewing Duration"),
        _f("comments", C, "Comments"),
        _f("new_followers", C, "New Followers"),
        _f("orders", C, "Orders Paid", "Orders"),
        _f("buyers", C, "Buyers"),
        _f("items_sold", C, "Items Sold"),
        _f("gmv_minor", M, "Revenue", "GMV", required=True),
        _f("refunds_minor", M, "Refunds"),
    ),
    use_synonyms=True,
)

TEMPLATE = Profile(
    "template",
    _l("hrapp session template"),
    None,
    "CNY",
    (
        _f("platform", Kind.PLATFORM, "platform", required=True),
        _f("account_id", Kind.ID, "account_id", required=True),
        _f("nickname", Kind.TEXT, "nickname"),
        _f("platform_session_id", Kind.ID, "platform_session_id"),
        _f("title", Kind.TEXT, "title"),
        _f("started_at", Kind.INSTANT, "started_at", required=True),
        _f("ended_at", Kind.INSTANT, "ended_at"),
        _f("duration", Kind.DURATION, "on_air_minutes", unit=60),
        *(_f(name, C, name) for name in COUNT_COLUMNS),  # the template uses canonical names
        _f("avg_watch_seconds", Kind.DURATION, "avg_watch_seconds"),
        _f("gmv_minor", M, "gmv", required=True),
        _f("buyer_paid_minor", M, "buyer_paid"),
        _f("refunds_minor", M, "refunds"),
        _f("platform_net_minor", Kind.SIGNED_MONEY, "platform_net"),
        _f("refunds_1h_minor", M, "refunds_1h"),
        _f("ad_spend_minor", M, "ad_spend"),
        _f("currency", Kind.CURRENCY, "currency"),
        _f("hosts", Kind.HOSTS, "hosts"),
    ),
)

PROFILES = (DOUYIN_COMPASS, DOUYIN_SCREEN, TAOBAO, TIKTOK, TEMPLATE)
PROFILES_BY_NAME = {p.name: p for p in PROFILES}
# A batch's format is shown by its label: the "format" kind of `hrapp.core.labels`. The demo
# agency's batches (hrapp.demo) are written without a file and record "demo".
FORMATS = labels.register(
    "format",
    {
        **{p.name: p.label for p in (*PROFILES, DOUYIN_SESSION)},
        "demo": _l("Demo agency data"),
        # A batch of several files in several formats (per-session workbooks and a list).
        "mixed": _l("Several formats"),
        # A file read with a column mapping HR wrote for a layout no profile knows.
        "mapping": _l("Column mapping"),
    },
)


def candidate_profiles(platform: str) -> tuple[Profile, ...]:
    """The profiles ``parse_export(platform=…)`` may match: all, one format, or one platform's."""
    if platform == "auto":
        return PROFILES
    if platform in PROFILES_BY_NAME:
        return (PROFILES_BY_NAME[platform],)
    chosen = tuple(p for p in PROFILES if p.platform == platform)
    if not chosen:
        known = ", ".join(["auto", *PROFILES_BY_NAME, "douyin"])
        raise ValueError(f"unknown platform or format {platform!r}; expected one of {known}")
    return chosen
