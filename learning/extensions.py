"""Flask extensions, created unbound so blueprints can import them without cycles."""
from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so batch migrations on SQLite can find and alter them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is db.Model: Base with Flask-SQLAlchemy's Model
# mixed in (the table name from the class name, `query`, the bind key). mypy cannot check a
# class whose base is an attribute of an instance (python/mypy#8603), so it is told the same
# two classes by name.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskModel

    class Model(Base, FlaskModel):
        __abstract__ = True
else:
    Model = db.Model


def in_the_models(obj, name, type_, reflected, compare_to) -> bool:
    """What autogenerate compares with the models: everything but the PostgreSQL-only search
    indexes (migration 3b8e5d2c6f19), which the models cannot declare for both databases."""
    return not (type_ == "index" and reflected and (name or "").endswith("_search"))


migrate = Migrate(render_as_batch=True, include_object=in_the_models)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
