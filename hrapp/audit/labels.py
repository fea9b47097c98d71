"""What the audit log's codes are called: its actions, the types of object it names, the fields
whose changes it keeps and the coded values of those fields, each one table in both languages.

A test reads the source for every action code and every field key the services write, so a new
one without a label here fails the suite rather than showing `snake_case` to HR.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from hrapp.core import labels
from hrapp.training.curriculum import STEP_LABELS

ACTIONS = labels.register(
    "audit_action",
    {
        "user.create": _l("Account created"),
        "user.update": _l("Account edited"),
        "user.password_change": _l("Password changed"),
        "user.locale": _l("Language changed"),
        "auth.login_failed": _l("Failed login"),
        "auth.login_throttled": _l("Login refused after too many failures"),
        "streamer.create": _l("Streamer added"),
        "streamer.update": _l("Streamer edited"),
        "streamer.level_change": _l("Level changed"),
        "streamer.level_scheduled": _l("Level change scheduled"),
        "streamer.leave": _l("Streamer left"),
        "streamer.reactivate": _l("Streamer reactivated"),
        "streamer.mentor": _l("Mentor changed"),
        "account.create": _l("Platform account added"),
        "account.link": _l("Platform account linked"),
        "account.update": _l("Platform account edited"),
        "account.move": _l("Platform account moved"),
        "account.unlink": _l("Platform account unlinked"),
        "roster.import": _l("Roster imported"),
        "promotion.confirm": _l("Promotion confirmed"),
        "training.curriculum.seed": _l("Default modules added"),
        "training.module.create": _l("Module created"),
        "training.module.update": _l("Module edited"),
        "training.class.create": _l("Class logged"),
        "training.record.create": _l("Training record logged"),
        "training.record.correct": _l("Training record corrected"),
        "training.record.void": _l("Training record voided"),
        "training.import": _l("Training records imported"),
        "sessions.import": _l("Sessions imported"),
        "sessions.import_refused": _l("Session import refused"),
        "sessions.rollback": _l("Session import rolled back"),
        "session.import_update": _l("Session updated by an import"),
        "session.hosts": _l("Session hosts edited"),
        "exchange_rate.set": _l("Exchange rate set"),
        "scheme.create_default": _l("Default scheme stored"),
        "scheme.save": _l("Scheme saved"),
        "cycle.create": _l("Cycle created"),
        "cycle.run": _l("Cycle run"),
        "cycle.export": _l("Cycle exported"),
        "cycle.sheets": _l("Appraisal sheets printed"),
        "cycle.sheets_download": _l("Appraisal sheets downloaded"),
        "appraisal.sheet": _l("Appraisal sheet downloaded"),
        "cycle.finalize": _l("Cycle finalized"),
        "cycle.reopen": _l("Cycle reopened"),
        "appraisal.recompute": _l("Appraisal recomputed"),
        "appraisal.adjust": _l("Pay adjusted"),
        "appraisal.adjustment_delete": _l("Pay adjustment removed"),
        "appraisal.score_override": _l("Score override changed"),
        "appraisal.comments": _l("Appraisal comments saved"),
        "appraisal.acknowledge": _l("Quarter acknowledged by the streamer"),
        "appraisal.dispute": _l("Quarter disputed by the streamer"),
        "dispute.reply": _l("Streamer wrote in a dispute"),
        "dispute.answer": _l("Dispute answered"),
        "dispute.resolve": _l("Dispute answered and resolved"),
        "dispute.adjust": _l("Dispute resolved with a pay adjustment"),
        "user.bulk_create": _l("Streamer logins created at once"),
        "user.password_reset": _l("Password reset by HR"),
        "job.submit": _l("Background job started"),
        "job.lost": _l("Background job failed: its worker stopped"),
        "job.retry": _l("Background job retried"),
        "demo.load": _l("Demo agency loaded"),
        "backup.make": _l("Backup made"),
        "backup.restore": _l("Backup restored"),
        "mapping.save": _l("Column mapping saved"),
    },
)

# The object an entry is about, as the type filter and the object column name it.
ENTITY_TYPES = labels.register(
    "entity_type",
    {
        "user": _l("Account"),
        "streamer": _l("Streamer"),
        "platform_account": _l("Platform account"),
        "roster": _l("Roster"),
        "training_module": _l("Module"),
        "training_class": _l("Class"),
        "training_record": _l("Training record"),
        "import_batch": _l("Import batch"),
        "live_session": _l("Live session"),
        "exchange_rate": _l("Exchange rate"),
        "scheme_version": _l("Scheme version"),
        "appraisal_cycle": _l("Appraisal cycle"),
        "appraisal": _l("Appraisal"),
        "job": _l("Background job"),
        "demo": _l("Demo agency"),
        "database": _l("Database"),
        "column_mapping": _l("Column mapping"),
    },
)

# Every key of an entry's `changes`, whichever service wrote it.
FIELDS = labels.register(
    "field",
    {
        # accounts
        "username": _l("Username"),
        "display_name": _l("Display name"),
        "roles": _l("Roles"),
        "active": lazy_pgettext("user account", "Active"),
        "streamer_id": _l("Streamer"),
        "locale": _l("Language"),
        "usernames": _l("Usernames"),
        "must_change_password": _l("Must change the password"),
        # background jobs
        "retry_of": _l("Retry of job"),
        # the roster
        "employee_no": _l("Employee no."),
        "legal_name": _l("Legal name"),
        "stage_name": _l("Stage name"),
        "hire_date": _l("Hire date"),
        "date_of_birth": _l("Date of birth"),
        "category": _l("Category"),
        "team": _l("Team"),
        "persona": _l("Persona"),
        "level": _l("Level"),
        "level_since": _l("Level since"),
        "scheduled_level": _l("Scheduled level"),
        "scheduled_on": _l("Takes effect on"),
        "status": _l("Status"),
        "left_on": _l("Left on"),
        "mentor": _l("Mentor"),
        "id_number": _l("ID number"),
        "bank_account": _l("Bank account number"),
        "hr_notes": _l("HR notes"),
        "platform": _l("Platform"),
        "account_id": _l("Account id"),
        "nickname": _l("Nickname"),
        "streamer": _l("Streamer"),
        # promotions
        "effective_on": _l("Effective from"),
        "cycle": _l("Cycle"),
        "eligible": _l("Eligible"),
        "forced": _l("Confirmed by override"),
        # training
        "code": _l("Code"),
        "title_zh": _l("Chinese title"),
        "title_en": _l("English title"),
        "topic": _l("Topic"),
        "hours": _l("Hours"),
        "required_for": _l("Required for the promotion step"),
        "pass_mark": _l("Pass mark"),
        "validity_months": _l("Valid for (months)"),
        "assessed": _l("Assessed"),
        "rubric": _l("Rubric dimensions"),
        "position": _l("Position in the list"),
        "completed_on": _l("Completed on"),
        "score": _l("Score"),
        "rubric_scores": _l("Rubric scores"),
        "passed": _l("Passed"),
        "notes": _l("Notes"),
        "voided": _l("Voided"),
        "void_reason": _l("Reason for voiding"),
        # backups
        "archive": _l("Backup file"),
        "made_at": _l("Backup made at"),
        # sessions and their imports
        "inserted": _l("Inserted"),
        "updated": _l("Updated"),
        "unchanged": _l("Unchanged"),
        "rejected": _l("Rejected rows"),
        "discarded_host_edits": _l("Host edits discarded"),
        "hosts": _l("Hosts"),
        "rate": _l("Exchange rate"),
        "platform_session_id": _l("Session id on the platform"),
        "title": _l("Title"),
        "started_at": _l("Started at"),
        "ended_at": _l("Ended at"),
        "on_air_seconds": _l("On-air time (seconds)"),
        "viewers": _l("Viewers"),
        "views": _l("Views"),
        "peak_online": _l("Peak online"),
        "avg_online": _l("Average online"),
        "comments": _l("Comments by viewers"),
        "new_followers": _l("New followers"),
        "unfollows": _l("Unfollows"),
        "orders": _l("Orders"),
        "buyers": _l("Buyers"),
        "items_sold": _l("Items sold"),
        "refund_orders": _l("Refund orders"),
        "avg_watch_seconds": _l("Average watch time (seconds)"),
        "gmv_fen": _l("GMV"),
        # "buyer_paid" (GMV from the buyer-paid amount) or empty (the platform's GMV).
        "gmv_basis": _l("GMV basis"),
        "buyer_paid_fen": _l("Paid by buyers"),
        "refunds_fen": _l("Refunds"),
        "platform_net_fen": _l("Net per the platform"),
        "refunds_1h_fen": _l("Refunds within an hour"),
        "ad_spend_fen": _l("Ad spend"),
        "currency": _l("Currency"),
        "fx_rate": _l("Exchange rate"),
        # column mappings
        "mapping_name": _l("Mapping name"),
        "timezone": _l("Time zone"),
        "columns": _l("Columns"),
        # appraisals and cycles
        "grade": _l("Grade"),
        "multiplier": _l("Multiplier"),
        "commission_fen": _l("Commission"),
        "adjustment_fen": _l("Adjustment"),
        "payable_fen": _l("Payable"),
        "shared_comment": _l("Comment for the streamer"),
        "starts_on": _l("Starts on"),
        "ends_on": _l("Ends on"),
        "scheme_version": _l("Scheme version"),
        "appraisals": _l("Streamers appraised"),
        "not_graded": _l("Not graded"),
        "total_payable_fen": _l("Total payable"),
        "revision": _l("Revision"),
        "finalized_at": _l("Finalized at"),
        "reason": _l("Reason"),
        "streamer_response": _l("Streamer's response"),
        "line": _l("Disputed line"),
        # the demo agency
        "logins": _l("Logins"),
        # written before amounts were kept in fen (yuan as text)
        "commission": _l("Commission"),
        "adjustment": _l("Adjustment"),
        "payable": _l("Payable"),
        "total_payable": _l("Total payable"),
    },
)

# Who acted, when no user did: the calendar (scheduled changes) or someone not logged in.
ACTORS = labels.register(
    "audit_actor", {"system": _l("The system"), "anonymous": _l("Someone not logged in")}
)

# Coded values of the fields that hold a status, and the languages of `locale`.
STATUSES = labels.register(
    "record_status",
    {
        "active": lazy_pgettext("streamer status", "Active"),
        "left": _l("Left"),
        "open": _l("Open"),
        "draft": _l("Draft"),
        "finalized": _l("Finalized"),
        "pending": _l("Pending"),
        "running": _l("Running"),
        "imported": _l("Imported"),
        "refused": _l("Refused"),
        "rolled_back": _l("Rolled back"),
        "failed": _l("Failed"),
        "acknowledged": _l("Acknowledged"),
        "disputed": _l("Disputed"),
        "resolved": _l("Resolved"),
    },
)
LANGUAGES = labels.register("language", {"zh_CN": "中文", "en": "English"})
# A training module's `required_for`: the promotion steps it is needed for.
labels.register("promotion_step", STEP_LABELS)
