"""Face-to-face courses: practitioners book and cancel; coordinators run courses, sessions
and registers and download attendance sheets."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from learning import audit
from learning.content.catalogue import ordered_module_rows
from learning.courses import bookings as service
from learning.access import agency_scope, role_required, signed_in
from learning.exports import send_workbook
from learning.courses import attendance_sheet
from learning.courses import non_attendance
from learning.extensions import db
from learning.fields import present
from learning.learner.forms import EmptyForm
from learning.models import Agency, Booking, BookingStatus, Course, CourseSession, Module, Role, utcnow
from learning.numbers import int_arg
from learning.courses.forms import CourseForm, NonAttendanceForm, SessionForm

bp = Blueprint("courses", __name__, url_prefix="/courses")


def _session_or_404(session_id: int) -> CourseSession:
    return db.session.get(CourseSession, session_id) or abort(404)


# Practitioners -------------------------------------------------------------------------

@bp.route("/")
@signed_in
def index():
    now = utcnow()
    sessions = db.session.scalars(
        select(CourseSession).join(Course).where(CourseSession.starts_at > now, Course.active.is_(True))
        # A session the person holds a place on (or waits for) is under their bookings, not bookable again.
        .where(~select(Booking.id).where(Booking.session_id == CourseSession.id, Booking.user_id == current_user.id,
                                         Booking.status.in_(service.ACTIVE)).exists())
        .order_by(CourseSession.starts_at)
    ).all()
    taken = service.places_taken([s.id for s in sessions])
    mine = db.session.scalars(
        select(Booking).join(CourseSession).where(Booking.user_id == current_user.id)
        .order_by(CourseSession.starts_at.desc())
    ).all()
    return render_template("courses/index.html", sessions=sessions, taken=taken, mine=mine, now=now)


@bp.route("/sessions/<id:session_id>")
@signed_in
def session(session_id: int):
    session = _session_or_404(session_id)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == current_user.id))
    booked, waiting = service.places_taken([session.id])[session.id]
    return render_template("courses/session.html", session=session, booking=booking, booked=booked, waiting=waiting,
                           form=EmptyForm(), now=utcnow())


@bp.route("/sessions/<id:session_id>/book", methods=["POST"])
@signed_in
def book(session_id: int):
    session = _session_or_404(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        booking = service.book(session, current_user)
    except service.BookingError as exc:
        flash(str(exc))
        return redirect(url_for("courses.session", session_id=session.id))
    if booking.status == BookingStatus.BOOKED.value:
        flash(f"You are booked on {session.course.title}.", "success")
    else:
        flash("The session is full, so you are on the wait list. We will give you a place if someone cancels.", "success")
    return redirect(url_for("courses.session", session_id=session.id))


@bp.route("/bookings/<id:booking_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            service.cancel(booking)
        except service.BookingError as exc:
            flash(str(exc))
        else:
            flash("Your booking is cancelled.", "success")
        return redirect(url_for("courses.index"))
    return render_template("courses/cancel.html", booking=booking, form=form)


# Coordinators --------------------------------------------------------------------------

@bp.route("/manage")
@role_required(Role.COORDINATOR)
def manage():
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    return render_template("courses/manage.html", courses=courses)


def _module_choices():
    return [(m.id, m.title) for m in ordered_module_rows()]


@bp.route("/manage/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_course():
    form = CourseForm()
    form.modules.choices = _module_choices()
    if form.validate_on_submit():
        modules = db.session.scalars(select(Module).where(Module.id.in_(present(form.modules.data)))).all()
        course = service.create_course(present(form.title.data), form.description.data or "",
                                       present(form.validity_months.data), list(modules))
        audit.record("course_create", {"course": course.id, "title": course.title})
        flash(f"{course.title} has been created. Now add a session.", "success")
        return redirect(url_for("courses.course", course_id=course.id))
    return render_template("courses/course_form.html", form=form)


@bp.route("/manage/<id:course_id>")
@role_required(Role.COORDINATOR)
def course(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    taken = service.places_taken([s.id for s in course.sessions])
    return render_template("courses/course.html", course=course, taken=taken, now=utcnow())


def _time(text: str):
    return datetime.strptime(text.replace(".", ":"), "%H:%M").time()


@bp.route("/manage/<id:course_id>/sessions/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_session(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    form = SessionForm()
    if form.validate_on_submit():
        day = present(form.day.data)
        starts = datetime.combine(day, _time(present(form.starts.data)))
        ends = datetime.combine(day, _time(present(form.ends.data)))
        if ends <= starts:
            form.ends.errors = [*form.ends.errors, "The end time must be after the start time"]
        elif starts <= utcnow():
            form.day.errors = [*form.day.errors, "The session must be in the future"]
        else:
            session = service.create_session(course, starts, ends, present(form.venue.data), form.online.data,
                                             present(form.capacity.data), form.trainer.data or "")
            audit.record("session_create", {"course": course.id, "session": session.id})
            flash("The session has been added and can now be booked.", "success")
            return redirect(url_for("courses.manage_session", session_id=session.id))
    return render_template("courses/session_form.html", form=form, course=course)


@bp.route("/manage/sessions/<id:session_id>")
@role_required(Role.COORDINATOR)
def manage_session(session_id: int):
    session = _session_or_404(session_id)
    return render_template("courses/manage_session.html", session=session, now=utcnow(),
                           booked=[b for b in session.bookings if b.status != BookingStatus.WAITLISTED.value and b.status != BookingStatus.CANCELLED.value],
                           waiting=[b for b in session.bookings if b.status == BookingStatus.WAITLISTED.value])


@bp.route("/manage/sessions/<id:session_id>/register", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def register(session_id: int):
    session = _session_or_404(session_id)
    form = EmptyForm()
    on_register = [b for b in session.bookings if b.status not in (BookingStatus.CANCELLED.value, BookingStatus.WAITLISTED.value)]
    errors = {}
    if form.validate_on_submit():
        marks = {}
        for booking in on_register:
            value = request.form.get(f"mark-{booking.id}")
            try:
                mark = BookingStatus(value)
                if mark not in service.REGISTER_MARKS:
                    raise ValueError
                marks[booking.id] = mark
            except ValueError:
                errors[booking.id] = f"Select whether {booking.user.name} attended"
        if not errors:
            try:
                written = service.take_register(session, marks)
            except service.BookingError as exc:
                flash(str(exc))
            else:
                audit.record("register_taken", {"session": session.id, "marks": len(marks), "completions": written})
                flash("The register has been saved. Attendance is now on each person's record.", "success")
                return redirect(url_for("courses.manage_session", session_id=session.id))
    return render_template("courses/register.html", session=session, bookings=on_register, form=form, errors=errors,
                           marks=service.REGISTER_MARKS, now=utcnow(), posted=request.form)


@bp.route("/manage/sessions/<id:session_id>/<kind>.xlsx")
@role_required(Role.COORDINATOR)
def attendance_export(session_id: int, kind: str):
    if kind not in ("sign-in-sheet", "register"):
        abort(404)
    session = _session_or_404(session_id)
    return send_workbook(lambda out: attendance_sheet.build(out, session, register=kind == "register"),
                         "export_attendance", {"session": session.id, "kind": kind},
                         f"{kind}-{session.starts_at:%Y-%m-%d}-session-{session.id}.xlsx")


@bp.route("/non-attendance")
@role_required(Role.AGENCY_LEAD)
def non_attendance_export():
    agency_ids = agency_scope(current_user, int_arg("agency"))
    # Sent only when its own fields are in the query (a link may carry just the agency).
    sent = "start" in request.args
    form = NonAttendanceForm(request.args if sent else None)
    agencies = select(Agency).order_by(Agency.name)
    if agency_ids is not None:
        agencies = agencies.where(Agency.id.in_(agency_ids))
    form.agency.choices = ([(0, "All agencies")] if agency_ids is None else []) + [(a.id, a.name) for a in db.session.scalars(agencies)]
    if sent and form.validate():
        chosen = agency_ids if agency_ids is not None else agency_scope(current_user, form.agency.data or None)
        start, end = present(form.start.data), present(form.end.data)
        rows = service.non_attendance(chosen, start, end)
        return send_workbook(lambda out: non_attendance.build(out, rows, start, end), "export_non_attendance",
                             {"agencies": list(chosen) if chosen else "all", "from": start, "to": end},
                             f"non-attendance-{start}-to-{end}.xlsx")
    return render_template("courses/non_attendance.html", form=form)
