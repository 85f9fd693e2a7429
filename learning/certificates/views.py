"""Certificate pages, My certificates, the download of them all, revoking, and the public
check at /verify. Views parse the request, ask certificates/service.py and render."""
from __future__ import annotations

import base64
import hashlib
import io
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from learning.access import public, role_required, signed_in, visible_user_or_404
from learning.certificates import service
from learning.certificates.forms import RevokeForm, VerifyForm
from learning.extensions import db, limiter
from learning.fields import present
from learning.learner import reflection as reflections
from learning.links import absolute_url
from learning.models import Completion, Role, utcnow

bp = Blueprint("certificates", __name__)

STYLESHEET = Path(__file__).with_name("certificate.css")


def _completion_in_scope(completion_id: int) -> Completion:
    """A completion whose person the viewer may see (themselves, their agency's staff for a
    lead, anyone for coordinators and admins); otherwise 404, saying nothing about it."""
    completion = db.session.get(Completion, completion_id)
    if completion is None:
        abort(404)
    visible_user_or_404(current_user, completion.user)
    return completion


@bp.route("/certificates")
@signed_in
def mine():
    certificates = service.certificates_for(service.my_certificates(current_user))
    return render_template("certificates/mine.html", certificates=certificates,
                           verify_url=absolute_url("certificates.verify"))


@bp.route("/certificates/download")
@signed_in
def download():
    """Every certificate in one self-contained HTML file: its stylesheet is inside it, so it
    opens and prints the same anywhere, offline, and each certificate prints on its own page."""
    certificates = service.certificates_for(service.my_certificates(current_user))
    if not certificates:
        flash("You do not have any certificates to download yet.")
        return redirect(url_for("certificates.mine"))
    css = _stylesheet()
    html = render_template("certificates/download.html", certificates=certificates, css=css,
                           person=current_user, downloaded_on=utcnow())
    response = send_file(io.BytesIO(html.encode("utf-8")), mimetype="text/html", as_attachment=True,
                         download_name=f"safeguarding-certificates-{date.today().isoformat()}.html",
                         max_age=0)
    # The document's only active content is its own stylesheet, allowed by its hash.
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'sha256-{digest}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


@bp.route("/certificates/<id:completion_id>")
@signed_in
def certificate(completion_id: int):
    completion = _completion_in_scope(completion_id)
    [cert] = service.certificates_for([completion])
    own = completion.user_id == current_user.id
    back = (url_for("certificates.mine"), "My certificates") if own else (
        url_for("people.user", user_id=completion.user_id), completion.user.name)
    return render_template("certificates/certificate.html", cert=cert, completion=completion, back=back,
                           can_revoke=current_user.has_role(Role.COORDINATOR),
                           reflection=reflections.visible_to(completion, current_user))


@bp.route("/certificates/<id:completion_id>/revoke", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def revoke(completion_id: int):
    completion = _completion_in_scope(completion_id)
    [cert] = service.certificates_for([completion])
    form = RevokeForm()
    if completion.revoked_at is None and form.validate_on_submit():
        if service.revoke(completion, present(form.reason.data).strip()):
            flash(f"Certificate revoked. {completion.module.title} no longer counts on "
                  f"{completion.user.name}'s record.", "success")
        else:
            flash("This certificate had already been revoked.")
        return redirect(url_for("certificates.certificate", completion_id=completion.id))
    return render_template("certificates/revoke.html", cert=cert, completion=completion, form=form)


@bp.route("/verify")
@public
def verify():
    """Type a code. A good one goes to its page at /verify/<code>, in the stored form."""
    form = VerifyForm(request.args if "code" in request.args else None)
    if "code" in request.args and form.validate():
        return redirect(url_for("certificates.verify_code", code=service.normalise_code(form.code.data)))
    return _no_store(render_template("certificates/verify_form.html", form=form))


@bp.route("/verify/<code>")
@public
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])
def verify_code(code: str):
    """Anyone may check a certificate: its status, the person's name, the learning and the
    dates. Nothing else about the person (no email, agency, score or other learning)."""
    completion = service.find_by_code(code)
    if completion is None:
        form = VerifyForm(formdata=None, code=code[:60])
        return _no_store(render_template("certificates/not_found.html", form=form)), 404
    status = service.status_of(completion)
    return _no_store(render_template(
        "certificates/verify.html", status=status, name=completion.user.name, learning=completion.module.title,
        completed_at=completion.completed_at, expires_at=completion.expires_at, revoked_at=completion.revoked_at,
        code=completion.certificate_code,
    ))


def _no_store(body):
    """Verification pages are never cached: a certificate can be revoked at any moment, and
    search engines are asked not to index them."""
    response = current_app.make_response(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
