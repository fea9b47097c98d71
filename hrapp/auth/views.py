"""Login, logout, password change, language switch and account management."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from hrapp.auth import services
from hrapp.auth.forms import LoginForm, PasswordChangeForm, UserForm
from hrapp.auth.models import Role, User
from hrapp.auth.permissions import TEMPLATE_PREDICATES, role_required
from hrapp.core.errors import ValidationFailed
from hrapp.extensions import db
from hrapp.i18n import SESSION_LOCALE_KEY

bp = Blueprint("auth", __name__)
for _predicate in TEMPLATE_PREDICATES:  # templates ask the same predicates as views
    bp.add_app_template_global(_predicate)


def safe_next(target: str | None) -> str | None:
    """Only paths inside this site: no scheme, no host, no protocol-relative `//`.

    Control characters are refused outright: browsers drop tabs and newlines inside URLs (so
    `/<TAB>/evil.example` is `//evil.example` to them) and a newline cannot go into a header.
    """
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target.strip()):
        return None
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_for(user: User) -> str:
    """The page each role starts on (the first one of the user's roles that is installed)."""
    from flask import current_app

    candidates = []
    if user.has_role(Role.HR, Role.ADMIN):
        candidates.append("main.dashboard")
    if user.has_role(Role.TRAINER):
        candidates.append("training.index")
    if user.has_role(Role.STREAMER):
        candidates += ["portal.index", "training.me"]
    for endpoint in candidates:
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("auth.change_password")


# What a user who must change a handed-over password may still open.
OPEN_BEFORE_PASSWORD_CHANGE = ("auth.change_password", "auth.logout", "auth.set_language", "static")


@bp.before_app_request
def _password_change_first() -> Response | None:
    """An initial or reset password someone else handed over is changed before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_BEFORE_PASSWORD_CHANGE
    ):
        return redirect(url_for("auth.change_password"))
    return None


def _fresh_session() -> None:
    """Empty the session, keeping only this browser's language choice."""
    locale = session.get(SESSION_LOCALE_KEY)
    session.clear()
    if locale:
        session[SESSION_LOCALE_KEY] = locale


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        ip = request.remote_addr or "unknown"
        try:
            user = services.authenticate(form.username.data or "", form.password.data or "", ip)
        except services.LoginThrottled as exc:
            db.session.commit()
            flash(exc.message, "error")
            return render_template("auth/login.html", form=form), 429
        db.session.commit()
        if user is None:
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 200
        _fresh_session()  # nothing set before login survives it
        login_user(user)
        return redirect(safe_next(request.args.get("next")) or home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    _fresh_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # The user itself, not the proxy: login_user() stores what it is given as the current
        # user, and a proxy that resolves to itself recurses until the process crashes.
        user = current_user._get_current_object()
        try:
            services.set_password(
                user,
                form.new_password.data or "",
                current_password=form.current_password.data or "",
            )
        except ValidationFailed as exc:
            flash(exc.message, "error")
            return render_template("auth/password.html", form=form), 422
        db.session.commit()
        login_user(user)  # this browser stays in with the new token; every other session ends
        flash(_("Your password was changed."), "success")
        return redirect(home_for(user))
    return render_template("auth/password.html", form=form)


@bp.post("/language/<locale>")
def set_language(locale: str) -> Response:
    from flask import current_app

    if locale not in current_app.config["LANGUAGES"]:
        abort(404)
    session[SESSION_LOCALE_KEY] = locale
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/accounts")
@role_required(Role.ADMIN)
def users() -> str:
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=rows)


def _streamer_id_for(employee_no: str | None) -> int | None:
    from hrapp.streamers.models import Streamer

    if not employee_no:
        return None
    streamer = db.session.scalar(select(Streamer).where(Streamer.employee_no == employee_no))
    if streamer is None:
        raise ValidationFailed(_("No streamer has the employee number %(no)s.", no=employee_no))
    return streamer.id


@bp.route("/accounts/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user() -> Response | str:
    form = UserForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                form.username.data or "",
                form.password.data or "",
                [Role(r) for r in form.roles.data or []],
                streamer_id=_streamer_id_for(form.employee_no.data),
                display_name=form.display_name.data or "",
            )
        except ValidationFailed as exc:
            flash(exc.message, "error")
            return render_template("auth/user_form.html", form=form, user=None), 422
        db.session.commit()
        flash(_("Account created."), "success")
        return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int) -> Response | str:
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.employee_no.data = user.streamer.employee_no if user.streamer else ""
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                roles=[Role(r) for r in form.roles.data or []],
                active=bool(form.active.data),
                streamer_id=_streamer_id_for(form.employee_no.data),
                display_name=form.display_name.data or "",
            )
            if form.password.data:
                services.set_password(user, form.password.data)
        except ValidationFailed as exc:
            flash(exc.message, "error")
            return render_template("auth/user_form.html", form=form, user=user), 422
        db.session.commit()
        flash(_("Account saved."), "success")
        return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user)
