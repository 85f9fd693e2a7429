"""Face-to-face courses: practitioners book and cancel; coordinators run courses, sessions
and registers and download attendance sheets."""
from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from learning import audit
from learning.access import agency_scope, role_required, signed_in
from learning.content.catalogue import ordered_module_rows
from learning.courses import actions, attendance_sheet, non_attendance, notices
from learning.courses import bookings as service
from learning.courses.calendar import Chosen, calendar
from learning.courses.forms import CancelSessionForm, CourseForm, NonAttendanceForm, SessionForm
from learning.courses.times import local
from learning.exports import send_workbook
from learning.extensions import db
from learning.fields import present
from learning.jobs.kinds import staff_in
from learning.jobs.views import send_or_queue
from learning.learner.forms import EmptyForm
from learning.models import Agency, Booking, BookingStatus, Course, CourseSession, Module, Role, utcnow
from learning.numbers import int_arg
from learning.pagination import requested_page
from learning.text import clean

T = TypeVar("T")

bp = Blueprint("courses", __name__, url_prefix="/courses")
# Session times are stored in UTC; pages show them in the partnership's local time.
bp.add_app_template_filter(local, "local")


def _session_or_404(session_id: int) -> CourseSession:
    return db.session.get(CourseSession, session_id) or abort(404)


# Practitioners -------------------------------------------------------------------------

@bp.route("/")
@signed_in
def index():
    """The calendar: upcoming sessions across all courses, by week, with places left, a page
    at a time (learning/courses/calendar.py)."""
    now = utcnow()
    mode = request.args.get("mode", "")
    chosen = Chosen(course=int_arg("course"), month=request.args.get("month", ""),
                    mode=mode if mode in ("online", "in_person") else "")
    mine = db.session.scalars(
        select(Booking).join(CourseSession).where(Booking.user_id == current_user.id)
        .order_by(CourseSession.starts_at.desc())
    ).all()
    active = {b.session_id for b in mine if b.status in service.ACTIVE}
    return render_template("courses/index.html", calendar=calendar(chosen, requested_page(), now), chosen=chosen,
                           mine=mine, now=now, active=active, form=EmptyForm())


@bp.route("/sessions/<id:session_id>")
@signed_in
def session(session_id: int):
    session = _session_or_404(session_id)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == current_user.id))
    booked, waiting = service.places_taken([session.id])[session.id]
    # An agency lead sees their own staff on the session (coordinators see everyone on the
    # session's manage page); other agencies' people are not shown.
    lead = current_user.has_role(Role.AGENCY_LEAD) and not current_user.has_role(Role.COORDINATOR)
    staff = sorted((b for b in actions.scope_bookings(session) if b.status != BookingStatus.CANCELLED.value),
                   key=lambda b: (b.status == BookingStatus.WAITLISTED.value, b.user.name)) if lead else []
    return render_template("courses/session.html", session=session, booking=booking, booked=booked, waiting=waiting,
                           form=EmptyForm(), now=utcnow(), can_book_others=current_user.has_role(Role.AGENCY_LEAD),
                           lead=lead, staff=staff, coordinator=current_user.has_role(Role.COORDINATOR))


@bp.route("/sessions/<id:session_id>/book", methods=["POST"])
@signed_in
def book(session_id: int):
    session = _session_or_404(session_id)
    return actions.button(lambda: service.book(session, current_user), actions.booked,
                          url_for("courses.session", session_id=session.id))


@bp.route("/bookings/<id:booking_id>/cancel", methods=["GET", "POST"])
@signed_in
def cancel(booking_id: int):
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        was_booked = booking.status == BookingStatus.BOOKED.value
        try:
            promoted = service.cancel(booking)
        except service.BookingError as exc:
            flash(str(exc))
        else:
            ended = [notices.Notice(notices.BOOKING_CANCELLED, booking.session, booking.user, booking)] if was_booked else []
            notices.send_notices(ended + notices.offered(promoted))
            late = booking.status == BookingStatus.CANCELLED_LATE.value
            flash("Your booking is cancelled." + (f" It was less than {service.LATE_CANCELLATION.days} days before the "
                                                  "session, so it is recorded as a late cancellation." if late else ""),
                  "success")
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


@bp.route("/manage/<id:course_id>/sessions/new", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def new_session(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    form = SessionForm()
    if form.validate_on_submit() and (times := actions.read_times(form)):
        starts, ends = times
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
    taken, waiting = service.places_taken([session.id])[session.id]
    return render_template("courses/manage_session.html", session=session, now=utcnow(), form=EmptyForm(),
                           places=taken, waiting_count=waiting,
                           emails=notices.log(session), labels=notices.LABELS,
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
            newly_absent = [b for b in on_register
                            if marks[b.id] is BookingStatus.ABSENT and b.status != BookingStatus.ABSENT.value]
            try:
                written = service.take_register(session, marks)
            except service.BookingError as exc:
                flash(str(exc))
            else:
                audit.record("register_taken", {"session": session.id, "marks": len(marks), "completions": written})
                notices.send_notices(actions.did_not_attend(session, newly_absent))
                flash("The register has been saved. Attendance is now on each person's record.", "success")
                return redirect(url_for("courses.manage_session", session_id=session.id))
    query = (request.args.get("q") or "").strip()
    return render_template("courses/register.html", session=session, bookings=on_register, form=form, errors=errors,
                           marks=service.REGISTER_MARKS, now=utcnow(), posted=request.form, query=query,
                           found=actions.search(query))


@bp.route("/manage/sessions/<id:session_id>/<kind>.xlsx")
@role_required(Role.COORDINATOR)
def attendance_export(session_id: int, kind: str):
    if kind not in ("sign-in-sheet", "register"):
        abort(404)
    session = _session_or_404(session_id)
    return send_workbook(lambda out: attendance_sheet.build(out, session, register=kind == "register"),
                         "export_attendance", {"session": session.id, "kind": kind},
                         f"{kind}-{local(session.starts_at):%Y-%m-%d}-session-{session.id}.xlsx")


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
        filename = f"non-attendance-{start}-to-{end}.xlsx"
        params = {"agencies": list(chosen) if chosen is not None else None, "from": start.isoformat(),
                  "to": end.isoformat()}

        def send_now():
            rows = service.non_attendance(chosen, start, end)
            return send_workbook(lambda out: non_attendance.build(out, rows, start, end), "export_non_attendance",
                                 {"agencies": list(chosen) if chosen else "all", "from": start, "to": end}, filename)

        return send_or_queue("non-attendance", params, filename, staff_in(chosen), send_now)
    return render_template("courses/non_attendance.html", form=form)


# Running courses: changes, cancellations, bookings on someone's behalf, walk-ins -------

@bp.route("/manage/<id:course_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_course(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)
    form = CourseForm(obj=course if request.method == "GET" else None)
    form.modules.choices = _module_choices()
    if request.method == "GET":
        form.modules.data = [m.id for m in course.modules]
    if form.validate_on_submit():
        modules = db.session.scalars(select(Module).where(Module.id.in_(present(form.modules.data)))).all()
        service.update_course(course, present(form.title.data), form.description.data or "",
                              present(form.validity_months.data), list(modules))
        audit.record("course_edit", {"course": course.id})
        flash("The course has been saved.", "success")
        return redirect(url_for("courses.course", course_id=course.id))
    return render_template("courses/course_form.html", form=form, editing=True)


@bp.route("/manage/<id:course_id>/cancel", methods=["POST"])
@role_required(Role.COORDINATOR)
def cancel_course(course_id: int):
    course = db.session.get(Course, course_id) or abort(404)

    def done(_: None) -> str:
        audit.record("course_cancel", {"course": course.id})
        return f"{course.title} is cancelled: it can no longer be booked."
    return actions.button(lambda: service.cancel_course(course), done, url_for("courses.course", course_id=course.id))


@bp.route("/manage/sessions/<id:session_id>/edit", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def edit_session(session_id: int):
    session = _session_or_404(session_id)
    if session.cancelled_at is not None:
        abort(404)
    form = SessionForm()
    form.submit.label.text = "Save changes"
    if request.method == "GET":
        actions.fill(form, session)
    elif form.validate_on_submit() and (times := actions.read_times(form)):
        starts, ends = times
        try:
            changed, promoted = service.update_session(
                session, int(form.version.data or 0), starts, ends, present(form.venue.data), form.online.data,
                present(form.capacity.data), form.trainer.data or "")
        except service.StaleSession as exc:
            db.session.refresh(session)
            actions.fill(form, session)
            form.day.errors = [str(exc)]
        except service.BookingError as exc:
            form.capacity.errors = [*form.capacity.errors, str(exc)]
        else:
            audit.record("session_edit", {"session": session.id, "version": session.version})
            told = [notices.Notice(notices.CHANGED, session, b.user, b) for b in session.bookings
                    if b.status in service.ACTIVE and b not in promoted] if changed else []
            notices.send_notices(told + [n for b in promoted for n in notices.offered(b)])
            flash("The session has been saved." + (" Everyone booked and waiting has been emailed the new details."
                                                   if told else ""), "success")
            return redirect(url_for("courses.manage_session", session_id=session.id))
    return render_template("courses/session_form.html", form=form, course=session.course, editing=True)


@bp.route("/manage/sessions/<id:session_id>/cancel", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def cancel_session(session_id: int):
    session = _session_or_404(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            ended = service.cancel_session(session, clean(present(form.reason.data)))
        except service.BookingError as exc:
            flash(str(exc))
        else:
            audit.record("session_cancel", {"session": session.id, "bookings_ended": len(ended)})
            notices.send_notices(notices.Notice(notices.CANCELLED, session, b.user, b) for b in ended)
            flash(f"The session is cancelled. {len(ended)} booked or waiting {'person was' if len(ended) == 1 else 'people were'} emailed.",
                  "success")
        return redirect(url_for("courses.manage_session", session_id=session.id))
    return render_template("courses/cancel_session.html", session=session, form=form)


@bp.route("/sessions/<id:session_id>/book-for", methods=["GET", "POST"])
@role_required(Role.AGENCY_LEAD)
def book_for(session_id: int):
    """Coordinators book anyone; agency leads their own staff. Outside that scope, a 404."""
    session = _session_or_404(session_id)
    form = EmptyForm()
    if request.method == "POST":
        return actions.button(lambda: service.book(session, actions.person_in_scope_or_404()),
                              lambda booking: actions.booked(booking, on_behalf=True),
                              url_for("courses.book_for", session_id=session.id))
    query = (request.args.get("q") or "").strip()
    mine = [b for b in actions.scope_bookings(session) if b.status in service.ACTIVE]
    return render_template("courses/book_for.html", session=session, form=form, query=query, found=actions.search(query),
                           mine=mine, now=utcnow(), everyone=current_user.has_role(Role.COORDINATOR))


@bp.route("/manage/bookings/<id:booking_id>/move", methods=["POST"])
@role_required(Role.COORDINATOR)
def move_from_wait_list(booking_id: int):
    booking = db.session.get(Booking, booking_id) or abort(404)

    def done(moved: Booking) -> str:
        audit.record("booking_moved_from_wait_list", {"booking": moved.id})
        notices.send_notices(notices.offered(moved))
        return f"{moved.user.name} now has a place and has been emailed."
    return actions.button(lambda: service.move_from_wait_list(booking), done,
                          url_for("courses.manage_session", session_id=booking.session_id))


@bp.route("/manage/bookings/<id:booking_id>/remove", methods=["POST"])
@role_required(Role.COORDINATOR)
def remove_booking(booking_id: int):
    booking = db.session.get(Booking, booking_id) or abort(404)
    was_booked = booking.status == BookingStatus.BOOKED.value

    def done(promoted: Booking | None) -> str:
        audit.record("booking_removed", {"booking": booking.id})
        ended = [notices.Notice(notices.BOOKING_CANCELLED, booking.session, booking.user, booking)] if was_booked else []
        notices.send_notices(ended + notices.offered(promoted))
        return f"{booking.user.name}'s booking has been removed."
    return actions.button(lambda: service.cancel(booking), done,
                          url_for("courses.manage_session", session_id=booking.session_id))


@bp.route("/manage/sessions/<id:session_id>/walk-in", methods=["POST"])
@role_required(Role.COORDINATOR)
def walk_in(session_id: int):
    session = _session_or_404(session_id)

    def done(booking: Booking) -> str:
        audit.record("register_walk_in", {"session": session.id, "user": booking.user_id})
        return f"{booking.user.name} is on the register as attended."
    return actions.button(lambda: service.add_walk_in(session, actions.person_in_scope_or_404()), done,
                          url_for("courses.register", session_id=session.id))
