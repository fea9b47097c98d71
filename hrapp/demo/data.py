"""The fixed vocabulary the demo agency is generated from: names, teams, categories, rates.

Figures are chosen so that the default appraisal scheme gives a spread of grades: the per-hour
GMV and follower rates below are what a streamer of each level needs to meet the quarterly
targets in domain.md with about 220 on-air hours.
"""

from __future__ import annotations

from typing import NamedTuple

SEED = 20260101
DEFAULT_STREAMERS = 48
FIRST_EMPLOYEE_NO = 1001

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN_NAMES = (
    "欣怡",
    "梓涵",
    "诗琪",
    "雨萱",
    "佳琪",
    "思彤",
    "可馨",
    "语桐",
    "若汐",
    "婉清",
    "梦瑶",
    "紫萱",
    "晓雯",
    "雅静",
    "芷若",
    "沐晴",
    "安琪",
    "心怡",
    "静怡",
    "一诺",
    "子墨",
    "语嫣",
    "欣妍",
    "梓萌",
    "书瑶",
    "晨曦",
    "佳音",
    "诗雨",
    "可欣",
    "悦彤",
    "浩宇",
    "俊杰",
    "一鸣",
    "嘉豪",
    "晓峰",
    "子轩",
    "宇航",
    "志远",
    "明哲",
    "天佑",
    "博文",
    "家乐",
    "思远",
    "皓然",
    "雨桐",
    "米乐",
    "果果",
    "甜甜",
)
# Stage names (艺名) are built from the given name: 叠字, 小X, X酱, 阿X ...
STAGE_NAME_PATTERNS = ("{b}{b}", "小{b}", "{b}{b}酱", "阿{a}", "{a}{b}呀", "大{b}", "{b}宝")

CATEGORY_ZH = {"beauty": "美妆", "appliance": "家电", "food": "美食", "home": "家居"}
CATEGORIES = tuple(CATEGORY_ZH)
TEAMS = ("一组", "二组", "三组", "四组")
PERSONAS = {
    "beauty": ("成分党美妆顾问", "素人改造化妆师", "敏感肌护肤达人", "平价彩妆测评"),
    "appliance": ("家电测评工程师", "厨房小家电达人", "数码家电导购", "节能家电讲解员"),
    "food": ("地方美食推荐官", "零食试吃达人", "产地直发助农主播", "健康轻食营养师"),
    "home": ("收纳整理博主", "软装搭配师", "家纺好物推荐", "清洁神器测评"),
}

# Average order value (¥) and refund rate ranges per category: appliances are dear and
# rarely returned; cosmetics are returned most.
AOV_YUAN = {"beauty": (120, 260), "appliance": (300, 1200), "food": (40, 120), "home": (60, 220)}
REFUND_RATE = {
    "beauty": (0.10, 0.22),
    "appliance": (0.04, 0.12),
    "food": (0.02, 0.08),
    "home": (0.06, 0.14),
}


class LevelProfile(NamedTuple):
    """What a typical streamer of a level does per on-air hour, and how much they stream."""

    gmv_per_hour_yuan: float
    new_followers_per_hour: float
    avg_watch_seconds: float
    sessions_per_week: tuple[float, float]


LEVEL_PROFILES = {
    "assistant": LevelProfile(1_400, 15, 58, (4.5, 6.0)),
    "senior": LevelProfile(6_100, 64, 88, (4.5, 6.0)),
    "mentor": LevelProfile(4_700, 46, 92, (3.2, 4.6)),
}
# A streamer's skill (1.0 meets the level's targets) is drawn around a median a little below
# the targets, so that most quarters grade A or B and a few S; a few streamers struggle (C, D).
# Each quarter's form moves it a little, so a streamer's grade changes from quarter to quarter.
SKILL_MEDIAN = 0.78
SKILL_SIGMA = 0.09
SKILL_RANGE = (0.45, 1.5)
STRUGGLING_SHARE = 0.1
STRUGGLING_SKILL = (0.5, 0.66)
FORM_SIGMA = 0.05
# Everyday sessions of the fourth quarter sell less: shoppers wait for 双11 and 双12 (whose own
# sessions sell several times the usual), so the quarter as a whole is not graded far above the
# others.
SEASON_FORM = {4: 0.94}
# The assistants who earn their promotion: steady, on air most days.
STEADY_SKILL = (0.95, 1.0)
STEADY_SESSIONS_PER_WEEK = (5.0, 5.6)
PROMOTION_MIN_SCORE = 80  # what the promotion asks of COMPLIANCE-1 and PRACTICAL-1
# The promotion HR dates inside a quarter takes effect this many days after its first day
# (2026-07-01 + 46 days = 2026-08-16: half the quarter at each level).
MID_QUARTER_DAYS = 46
# Sick leave: from this many days into a quarter, for LEAVE_DAYS days (too few hours to grade).
LEAVE_AFTER_DAYS = 9
LEAVE_DAYS = 100
LEAVE_MIN_STREAMERS = 8

# Late data of the last finalized quarter, from its final LATE_DAYS days: sessions missing from
# the first export for LATE_TOP_UPS streamers, and for LATE_CLAWBACKS others returns that came
# in afterwards (a share of each affected session's GMV).
LATE_DAYS = 28
LATE_TOP_UPS = 2
LATE_CLAWBACKS = 3
LATE_RETURNS = (0.15, 0.3)

# Roughly how a roster of this kind divides between the levels.
MENTOR_SHARE = 1 / 8
SENIOR_SHARE = 1 / 4

# The big shopping festivals: long sessions and several times the usual GMV.
FESTIVALS = {(6, 18): "618大促", (11, 11): "双11狂欢", (12, 12): "双12返场"}
# Seniors stay on air all day (over 8 hours) for the two biggest.
MARATHON_FESTIVALS = ("618大促", "双11狂欢")

# Yuan per US dollar for the TikTok Shop rooms, as HR would set it for the month.
USD_RATE = "7.1"

TRAINERS = ("李老师", "王老师")
# The demo trainer account is the first trainer; the second has no account, as happens when
# training records come from an imported file.
TRAINER_ACCOUNT_NAME = TRAINERS[0]

# The onboarding modules every new streamer takes in the first half year.
ASSISTANT_MODULES = ("SCRIPT-1", "PRODUCT-1", "FANS-1", "EMERGENCY-1", "COMPLIANCE-1", "MOCKLIVE-1")
