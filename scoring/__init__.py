"""Pure scoring library of hrapp: live-session figures in, scores, grades, commission and
promotion checklists out.

It imports only the standard library, pandas and numpy, reads no clock and no file it is not
handed (except its own default scheme), and never modifies its inputs. Money is integer fen,
rates are exact decimals, and every input problem is reported at once.

Public API:
    appraise(sessions, hosts, streamers, scheme, period, promotion_inputs=None) -> AppraisalResult
        (.table computed at once; .explanations built per streamer when first read)
    what_if(level, net_gmv_fen, avg_watch_seconds, net_followers, on_air_hours, scheme) -> dict
    with_score(score, net_gmv_fen, on_air_seconds, min_on_air_hours, level, scheme) -> dict:
        grade and commission of an appraisal whose score HR overrode
    aggregate_sessions(sessions, hosts, period, *, min_session_seconds=300) -> DataFrame
    load_scheme(text) -> Scheme; dump_scheme(scheme) -> str; default_scheme_text() -> str
    to_toml(data) -> str: nested plain data (a scheme edited as dicts and lists) as TOML text
    Period(start, end, tz) / Period.quarter(year, quarter, tz); PromotionInputs(as_of, ...)
    ScoringInputError, SchemeError (both carry `.problems: list[str]`)
"""

from scoring.aggregate import aggregate_sessions
from scoring.appraise import AppraisalResult, appraise, what_if, with_score
from scoring.errors import SchemeError, ScoringInputError
from scoring.period import Period
from scoring.promotion import PromotionInputs
from scoring.scheme import Scheme
from scoring.scheme_dump import dump_scheme, to_toml
from scoring.scheme_load import default_scheme_text, load_scheme

__all__ = [
    "AppraisalResult",
    "Period",
    "PromotionInputs",
    "Scheme",
    "SchemeError",
    "ScoringInputError",
    "aggregate_sessions",
    "appraise",
    "default_scheme_text",
    "dump_scheme",
    "load_scheme",
    "to_toml",
    "what_if",
    "with_score",
]
