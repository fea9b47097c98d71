"""Per-session 直播大屏 workbooks (整场数据下载) built with the structure of real downloads.

Sheets as Douyin writes them (see domain.md and ../shared/samples/dashboard/): 基本信息 and
整体看板 a header row and one value row, 流量分析-流量转化 name | value, 流量分析-渠道分析 a
table by 渠道名称 with the row 整体, 流量分析-短视频引流, 商品分析-商品明细 a table by 商品ID.
Numbers are text with ¥ and thousands separators, as downloaded; ``—`` is "not provided".
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl

BASIC, OVERVIEW = "基本信息", "整体看板"
FLOW, CHANNELS = "流量分析-流量转化", "流量分析-渠道分析"
VIDEOS, PRODUCTS = "流量分析-短视频引流", "商品分析-商品明细"
DASH = "—"


def yuan(fen: int) -> str:
    """``¥39,604.24`` as the download writes an amount."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


@dataclass
class Session:
    """One session's figures; the builder writes them where the download has them."""

    start: dt.datetime
    end: dt.datetime
    paid_fen: int = 3_960_424
    viewers: int = 2134
    avg_online: int = 24
    watch: str = "1分38秒"
    buyers: int = 180
    orders: int = 186
    items: tuple[int, ...] = (120, 75)  # per product
    account: str = "0439563"
    nickname: str = "小红的直播间"
    time_cell: str | None = None  # instead of start-end, e.g. a malformed text
    overview_extra: dict[str, str] = field(default_factory=dict)  # 最高在线人数, 新增粉丝数 …
    blanks: tuple[str, ...] = ()  # header names whose cell holds "—"
    without: tuple[str, ...] = ()  # sheets left out

    @property
    def time_text(self) -> str:
        if self.time_cell is not None:
            return self.time_cell
        return f"{self.start:%Y/%m/%d %H:%M:%S}-{self.end:%Y/%m/%d %H:%M:%S}"

    def filename(self) -> str:
        return f"整场数据_{self.nickname}_{self.start:%Y%m%d%H%M%S}.xlsx"


def _value(session: Session, header: str, value: object) -> object:
    return DASH if header in session.blanks else value


def _record(session: Session, pairs: list[tuple[str, object]]) -> list[list[object]]:
    return [[h for h, _v in pairs], [_value(session, h, v) for h, v in pairs]]


def session_workbook(session: Session) -> bytes:
    """The per-session download of ``session``, as bytes."""
    per_product = [yuan(session.paid_fen // max(len(session.items), 1))] * len(session.items)
    sheets: dict[str, list[list[object]]] = {
        BASIC: _record(
            session,
            [
                ("达人昵称", session.nickname),
                ("抖音号or火山号", session.account),
                ("直播时间", session.time_text),
                ("直播间用户支付金额", yuan(session.paid_fen)),
                ("千次观看用户支付金额", yuan(session.paid_fen * 1000 // max(session.viewers, 1))),
            ],
        ),
        OVERVIEW: _record(
            session,
            [
                ("直播间观看人数", str(session.viewers)),
                ("平均在线人数", str(session.avg_online)),
                ("人均观看时长", session.watch),
                ("直播间观看-成交率(人数)", f"{100 * session.buyers / session.viewers:.2f}%"),
                ("直播间商品点击-成交率(人数)", "17.66%"),
                ("直播间曝光-观看率(人数)", "7.97%"),
                *session.overview_extra.items(),
            ],
        ),
        FLOW: [
            ["直播间曝光人数", str(session.viewers * 12)],
            ["直播间观看人数", str(session.viewers)],
            ["商品曝光人数", str(session.viewers * 4 // 5)],
            ["商品点击人数", str(session.viewers // 2)],
            ["成交人数", _value(session, "成交人数", str(session.buyers))],
        ],
        CHANNELS: [
            ["渠道名称", "观看人数", "用户支付金额", "成交订单数", "千川消耗"],
            [
                "整体",
                session.viewers,
                yuan(session.paid_fen),
                _value(session, "成交订单数", str(session.orders)),
                "¥150.04",
            ],
            ["推荐feed", session.viewers // 2, DASH, DASH, DASH],
        ],
        VIDEOS: [
            ["短视频名称", "投稿时间", "短视频直播入口曝光次数", "短视频引流直播间次数", "点击率"],
            ["开播预告", "2026/07/01 18:00:00", "1523", "87", "5.71%"],
        ],
        PRODUCTS: [
            ["商品ID", "商品名称", "用户支付金额", "成交件数", "成交人数", "商品曝光人数"],
            *(
                [f"35711592628378{n:05d}", f"商品{n}", paid, str(items), "10", "1707"]
                for n, (paid, items) in enumerate(zip(per_product, session.items, strict=True))
            ),
        ],
    }
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        if name in session.without:
            continue
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def month_of_sessions(count: int, *, first_day: int = 1) -> list[Session]:
    """``count`` evening sessions of July 2026 (one a day, wrapping into a second account
    after day 31 would be a test's business): varied figures, some crossing midnight."""
    sessions = []
    for n in range(count):
        day = dt.datetime(2026, 7, first_day, 19, 0, 0) + dt.timedelta(days=n % 31)
        start = day + dt.timedelta(minutes=n % 45, seconds=n)
        end = start + dt.timedelta(hours=3, minutes=n % 50)
        sessions.append(
            Session(
                start=start,
                end=end,
                paid_fen=1_000_000 + 12_345 * n,
                viewers=1500 + 10 * n,
                avg_online=10 + n % 7,
                watch=f"1分{10 + n % 40}秒",
                buyers=40 + n,
                orders=42 + n,
                items=(30 + n, 5 + n % 3),
                account="0439563" if n < 31 else "0439564",
            )
        )
    return sessions
