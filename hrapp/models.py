"""Imports every feature's models so that metadata (and Alembic) sees the whole schema."""

from hrapp.appraisals.models import (  # noqa: F401
    Appraisal,
    AppraisalAdjustment,
    AppraisalCycle,
    AppraisalRevision,
    SchemeVersion,
)
from hrapp.auth.models import LoginAttempt, User, UserRole  # noqa: F401
from hrapp.core.audit import AuditEntry  # noqa: F401
from hrapp.intake.batch_model import ImportBatch  # noqa: F401
from hrapp.intake.mapping_store import SavedMapping  # noqa: F401
from hrapp.jobs.models import Job  # noqa: F401
from hrapp.live_sessions.models import (  # noqa: F401
    ExchangeRate,
    LiveSession,
    SessionHost,
    SessionRevision,
)
from hrapp.portal.models import AppraisalResponse, ResponseMessage  # noqa: F401
from hrapp.streamers.models import LevelChange, PlatformAccount, Streamer  # noqa: F401
from hrapp.training.models import Module, TrainingClass, TrainingRecord  # noqa: F401
