"""Flask extensions, created unbound and attached in create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from uitleen.db import Base
from uitleen.schemas import ErrorSchema

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login = LoginManager()
babel = Babel()


class UitleenApi(Api):
    """flask-smorest, documenting our one error shape.

    No catch-all `default` response: each operation lists the errors it can give
    (uitleen.api.ContractPlugin), so an answer outside that list is a bug a test finds.
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


api = UitleenApi()
