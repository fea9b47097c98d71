"""hrapp's own session template, for platforms and tools without a recognised export.

One row per live session; headers exactly as below (case, spaces and column order do not
matter; columns may be left out unless marked required). CSV (UTF-8, UTF-8 with BOM or
GB18030) or XLSX.

=====================  ==================================================================
column                 content
=====================  ==================================================================
platform (required)    ``douyin``, ``taobao``, ``tiktok`` or another lower-case name
                       (``kuaishou``); 抖音 and 淘宝 are accepted too
account_id (required)  the room's account on that platform, as text (leading zeros kept)
nickname               the room's display name
platform_session_id    the platform's id of the session, when it has one
title                  the session's title
started_at (required)  local start in the organisation's time zone, ``2026-09-07 08:55:37``
                       (seconds optional, ``/`` also accepted), or ISO 8601 with an offset
                       (``2026-09-07T08:55:37+08:00``)
ended_at               local end, same forms; empty while still live
on_air_minutes         on-air time in minutes (used only when start or end is missing);
                       ``1小时5分``, ``1h 5min`` and ``01:05:00`` also work
viewers, views, peak_online, avg_online, comments, new_followers, unfollows, orders,
buyers, items_sold, refund_orders
                       whole numbers (``1,234``, ``1.2万`` and ``1.5k`` accepted)
avg_watch_seconds      average watch time per view, in seconds (decimals allowed)
gmv (required)         GMV in major units of the row's currency (``8772.35``)
buyer_paid, refunds, platform_net, refunds_1h, ad_spend
                       amounts in major units; only platform_net may be negative
currency               ISO code (``CNY``, ``USD`` …); empty means CNY
hosts                  co-hosts by employee number: ``E1001:60;E1002:40`` (percent shares
                       summing to 100) or ``E1001;E1002`` (even split); empty means
                       not given
=====================  ==================================================================

Every cell may be empty or one of ``-``, ``--``, ``—``, ``暂无``, ``N/A``: unknown, which is
not zero.
"""

from __future__ import annotations

import codecs

from .profiles import TEMPLATE


def template_columns() -> list[str]:
    return [alias for spec in TEMPLATE.fields for alias in spec.aliases[:1]]


def template_csv() -> bytes:
    """An empty template to hand out: the header row as UTF-8 CSV with a BOM (Excel needs the
    BOM to show Chinese text correctly)."""
    return codecs.BOM_UTF8 + (",".join(template_columns()) + "\r\n").encode("utf-8")
