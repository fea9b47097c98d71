"""How export headers are compared, and the spellings that mean the same field.

Headers are compared after `normalize_header` (spaces, case, full-width vs half-width forms
ignored) and, when matched against a field, after `header_key`, which also drops a leading
直播间: Douyin's own exports write 直播间成交金额 in one download and 成交金额 in the next.
`SYNONYMS` is domain.md's "Header synonyms" table (spellings seen in real exports and in the
tools agencies use: 蝉妈妈, 飞瓜, 灰豚), keyed by the canonical template's column names
(`hrapp sessions template`); the session profiles fall back on it after their own aliases.

No Flask, no database.
"""

from __future__ import annotations

import unicodedata

ROOM_PREFIX = "直播间"

# An account id column names its platform's kind of account: a 抖音号 is never a Taobao id, so
# a profile only takes the spellings of its own platform.
ACCOUNT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "douyin": ("主播抖音号", "抖音号", "抖音号or火山号", "抖音号或火山号", "达人抖音号", "达人ID"),
    "taobao": ("主播ID", "账号ID"),
    "tiktok": ("Creator ID",),
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "account_id": tuple(s for spellings in ACCOUNT_SPELLINGS.values() for s in spellings),
    "nickname": ("主播昵称", "达人昵称", "昵称", "主播名称", "达人名称", "Creator"),
    "platform_session_id": ("场次id", "直播id", "LIVE ID"),
    "title": ("场次标题", "直播标题", "标题", "LIVE title"),
    "started_at": ("直播开始时间", "开播时间", "开始时间", "Launched Time"),
    "ended_at": ("直播结束时间", "结束时间", "下播时间"),
    "session_time": ("直播时间",),  # one cell "start-end" (Douyin 直播大屏)
    "on_air_minutes": ("直播时长(分钟)", "直播时长", "开播时长(分钟)", "Duration"),
    "viewers": ("观看人数", "累计观看人数", "场观", "直播访问人数", "浏览人数", "Viewers"),
    "views": ("观看次数", "观看人次", "浏览次数", "Views"),
    "peak_online": ("最高在线人数", "最高在线", "在线人数峰值", "PCU"),
    "avg_online": ("平均在线人数", "平均在线", "ACU"),
    "avg_watch_seconds": ("人均观看时长", "人均停留时长", "平均停留时长", "Avg. Viewing Duration"),
    "comments": ("评论次数", "评论数", "Comments"),
    "new_followers": ("新增粉丝数", "新增粉丝", "新增粉丝量", "涨粉数", "涨粉", "New Followers"),
    "unfollows": ("取关粉丝数", "取关粉丝量", "掉粉数"),
    "orders": ("成交订单数", "成交笔数", "支付订单数", "Orders Paid"),
    "buyers": ("成交人数", "支付人数", "Buyers"),
    "items_sold": ("成交件数", "销量", "Items Sold"),
    "refund_orders": ("退款订单数", "退款笔数"),
    "gmv": ("成交金额", "销售额", "GMV", "支付GMV", "种草成交金额", "引导成交金额", "Revenue"),
    "buyer_paid": ("用户支付金额",),
    "refunds": ("退款金额", "退款额", "Refunds"),
}


def normalize_header(text: str) -> str:
    """Compare headers ignoring spaces, case, and full-width vs half-width forms (（ ）→ ( ))."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "")
    return "".join(text.split()).casefold()


def header_key(text: str) -> str:
    """`normalize_header`, and a leading 直播间 dropped (直播间成交金额 = 成交金额)."""
    key = normalize_header(text)
    stripped = key.removeprefix(ROOM_PREFIX)
    return stripped or key


def synonyms(field: str, platform: str | None = None) -> tuple[str, ...]:
    """The spellings `SYNONYMS` lists for a template field; for ``account_id`` with a
    ``platform``, only that platform's."""
    if field == "account_id" and platform is not None:
        return ACCOUNT_SPELLINGS.get(platform, ())
    return SYNONYMS.get(field, ())
