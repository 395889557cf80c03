"""Uitleen: device lending and refurbishment for community organisations."""

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, signals, error handlers, CLI."""
    # UITLEEN_INSTANCE_PATH: this server's own folder (SQLite, file:// rate limits, label
    # job folders, import spool); the default is instance/ beside the code.
    instance_path = os.environ.get("UITLEEN_INSTANCE_PATH") or None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    connect_signals()
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, config: dict | None) -> None:
    from uitleen import config as settings

    app.config.update(settings.STATIC)
    app.config.update(settings.from_environment(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    settings.check_config(app.config)
    proxies = app.config["UITLEEN_PROXY_COUNT"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    from uitleen import inputs, ratelimit, security
    from uitleen.auth.access import check_route_access
    from uitleen.db import configure_sqlite
    from uitleen.extensions import babel, csrf, db, login, migrate
    from uitleen.i18n import SUPPORTED_LANGUAGES, direction, language_name, select_locale

    db.init_app(app)
    # Every domain's models, views, API and commands, listed by name (uitleen/wiring.py).
    from uitleen import wiring  # noqa: F401

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(
        app,
        db,
        directory=app.config["UITLEEN_MIGRATIONS_DIR"],
        render_as_batch=True,
    )
    # Who may use a route is checked before anything reads the request's input.
    app.before_request(check_route_access)
    csrf.init_app(app)
    ratelimit.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = None
    login.session_protection = "basic"

    @login.user_loader
    def load_user(session_id: str):
        from uitleen.auth.sessions import session_user

        return session_user(session_id)

    security.init_app(app)
    inputs.init_app(app)

    from flask_babel import get_locale

    from uitleen.nav import nav_for

    @app.context_processor
    def layout_globals():
        from flask_login import current_user

        locale = str(get_locale())
        return {
            "lang": locale,
            "dir": direction(locale),
            "nav": nav_for(current_user),
            "language_name": language_name,
            "household_languages": SUPPORTED_LANGUAGES,
        }


def register_blueprints(app: Flask) -> None:
    from uitleen.api import register_api
    from uitleen.wiring import API_BLUEPRINTS, BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    register_api(app, API_BLUEPRINTS)


def connect_signals() -> None:
    from uitleen.wiring import SIGNAL_SUBSCRIBERS

    for connect in SIGNAL_SUBSCRIBERS:
        connect()


def register_errorhandlers(app: Flask) -> None:
    from uitleen.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from uitleen.demo import seed_demo
    from uitleen.wiring import COMMANDS

    app.cli.add_command(seed_demo)
    for command in COMMANDS:
        app.cli.add_command(command)
