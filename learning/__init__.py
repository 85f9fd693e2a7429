"""The CSPR learning tracker: application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from learning import config
from learning.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None, testing: bool = False, strict_content: bool = True,
               instance_path: str | None = None) -> Flask:
    # INSTANCE_PATH (or the argument) gives a host, or a test's second app, a folder of its own.
    instance = instance_path or os.environ.get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(__name__, instance_path=instance, template_folder=str(ROOT / "templates"))
    config.load(app, testing=testing, overrides=test_config)

    # govuk-frontend-jinja 4.x macros rely on chained undefined lookups (params.a.b).
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.add_extension("jinja2.ext.do")
    WTFormsHelpers(app)
    _add_govuk_macros(app)

    if proxies := app.config["TRUSTED_PROXIES"]:
        # Behind a reverse proxy: take the client's address and scheme from the headers it
        # sets, so throttling, the audit trail and Secure cookies see the real request.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # Flask's documented middleware wrapping

    from learning.auth import sessions, stale_forms

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    # Session time limits run before the CSRF check, so a form posted into an expired
    # session signs the person out cleanly instead of failing as a bad request.
    sessions.init_app(app)
    csrf.init_app(app)
    stale_forms.init_app(app)
    limiter.init_app(app)

    from learning import database
    database.configure_engine(app)
    from learning.compliance import summary
    summary.listen()  # keep the compliance summary on every write (learning/compliance/summary.py)
    database.close_connection_after_failure(app)

    from learning.content.catalogue import init_catalogue
    init_catalogue(app, strict=strict_content)

    # Every route that takes an id declares it <id:...>: a number no row could have is a 404.
    from learning.numbers import IdConverter
    app.url_map.converters["id"] = IdConverter

    from learning.audit.views import bp as audit_bp
    from learning.auth.account import bp as account_bp
    from learning.auth.views import bp as auth_bp
    from learning.certificates.views import bp as certificates_bp
    from learning.compliance.views import bp as dashboards_bp
    from learning.courses.views import bp as courses_bp
    from learning.data_protection.views import bp as data_protection_bp
    from learning.external.views import bp as external_bp
    from learning.health import bp as health_bp
    from learning.impact.practice import bp as practice_bp
    from learning.impact.views import bp as impact_bp
    from learning.jobs.views import bp as jobs_bp
    from learning.learner.views import bp as learner_bp
    from learning.people import bp as admin_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(learner_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(data_protection_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(external_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(impact_bp)
    app.register_blueprint(jobs_bp)

    from learning import navigation, security

    navigation.init_app(app)
    security.init_app(app)
    _register_errors(app)

    from learning.cli import register as register_cli

    register_cli(app)
    return app


class _LazyMacro:
    """A template macro as a Jinja global, loaded on its first call.

    Pages call govukButton(...), progress(...) and the rest without importing them: each
    `{% from ... import %}` costs every render of the page that has it (Jinja looks the
    template up and checks the render's globals against it), while a global is looked up
    like any other name. Loading on first use keeps start-up (an app per test) from
    compiling templates no page of that run shows."""

    def __init__(self, env: Environment, path: str, name: str) -> None:
        self.env = env
        self.path = path
        self.name = name
        self.macro: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.macro is None:
            self.macro = getattr(self.env.get_template(self.path).module, self.name)
        return self.macro(*args, **kwargs)


# The GOV.UK Frontend components the pages call, by folder name. Only these become globals:
# every import in a template checks the render's globals against the imported template's,
# so each global costs a little on every page that imports a macro of its own.
# tests/test_templates.py fails when a page calls a component missing here.
GOVUK_COMPONENTS = (
    "back-link", "button", "checkboxes", "details", "error-message", "error-summary", "input", "inset-text",
    "notification-banner", "pagination", "panel", "radios", "select", "summary-list", "table", "tag", "warning-text",
)


# The service's own macros that pages call the same way, without importing them: the
# question pages' (the learners' busiest), the status tag and the table of the lists that
# grow with the workforce, by template.
APP_MACROS = {
    "components/macros.html": ("status_tag", "progress", "option_feedback", "markdownish", "new_password_fields"),
    "overrides/choices.html": ("answer_choices", "answer_button"),
    "overrides/table.html": ("app_table",),
}


def _add_govuk_macros(app: Flask) -> None:
    """The GOV.UK Frontend components' macros the pages call (govukButton, govukTable, ...)
    and the service's own in APP_MACROS, as globals."""
    for component in GOVUK_COMPONENTS:
        name = "govuk" + "".join(part.capitalize() for part in component.split("-"))
        path = f"govuk_frontend_jinja/components/{component}/macro.html"
        app.jinja_env.globals[name] = _LazyMacro(app.jinja_env, path, name)
    for path, names in APP_MACROS.items():
        for name in names:
            app.jinja_env.globals[name] = _LazyMacro(app.jinja_env, path, name)


def _register_errors(app: Flask) -> None:
    for code in (400, 403, 404, 413, 429, 500):
        app.register_error_handler(code, lambda e, code=code: (render_template(f"errors/{code}.html", error=e), code))
