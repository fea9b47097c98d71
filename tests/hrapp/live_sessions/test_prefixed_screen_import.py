"""A tabular 直播大屏 sheet whose headers carry the 直播间 prefix (直播间成交金额, 直播间观看人数 …)
imports like any 大屏 export: stored totals match the sums worked out by hand."""

from __future__ import annotations

from sqlalchemy import func, select

from hrapp.extensions import db
from hrapp.intake.batch_model import ImportBatch
from hrapp.live_sessions.importer import import_sessions
from hrapp.live_sessions.models import LiveSession

SHEET = (
    "达人昵称,抖音号or火山号,直播时间,直播间观看人数,直播间观看次数,直播间成交订单数,"
    "直播间成交金额,直播间退款金额\n"
    '小红的直播间,0439563,2026/09/07 08:55:37-2026/09/07 11:02:10,1.2万,"15,300","1,203",'
    '"¥236,552.00","￥1,234.50"\n'
    '小红的直播间,0439563,2026/09/08 20:00:00-2026/09/08 22:30:00,"8,000","9,100",310,'
    '"¥12,000.50",¥0.50\n'
    '小红的直播间,0439563,2026/09/09 19:00:00-2026/09/09 21:00:00,"2,500","3,000",45,'
    '"3,210",—\n'
)


def _sum(column):
    return db.session.scalar(select(func.sum(column)))


def test_a_prefixed_screen_sheet_imports_with_hand_computed_totals(room):
    outcome = import_sessions(SHEET.encode(), "大屏-9月.csv")
    db.session.commit()

    assert (outcome.status, outcome.inserted, outcome.problems) == ("imported", 3, [])
    batch = db.session.scalar(select(ImportBatch))
    assert batch.format == "douyin_screen"
    # 12,000 + 8,000 + 2,500 viewers; 15,300 + 9,100 + 3,000 views; 1,203 + 310 + 45 orders;
    # ¥236,552.00 + ¥12,000.50 + ¥3,210.00 = ¥251,762.50; refunds ¥1,234.50 + ¥0.50 (one
    # session says — : not given, stored as NULL, never 0).
    assert _sum(LiveSession.viewers) == 22_500
    assert _sum(LiveSession.views) == 27_400
    assert _sum(LiveSession.orders) == 1_558
    assert _sum(LiveSession.gmv_fen) == 25_176_250
    assert _sum(LiveSession.refunds_fen) == 123_500
    assert (
        db.session.scalar(
            select(func.count()).select_from(LiveSession).where(LiveSession.refunds_fen.is_(None))
        )
        == 1
    )

    again = import_sessions(SHEET.encode(), "大屏-9月-copy.csv")
    db.session.commit()
    assert (again.inserted, again.updated) == (0, 0)
