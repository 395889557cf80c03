# ruff: noqa: I001 (imported in the order create_app always used, not sorted)
"""Every domain package's parts, imported by name so the import graph shows each link.

create_app registers what is listed here; seed-demo runs the seeders. The order is the
order the packages always had (earlier steps of the work first), so menus, routes and the
OpenAPI document come out as before. ARCHITECTURE.md describes the layers.
"""

from uitleen.auth import models as auth_models
from uitleen.audit import models as audit_models
from uitleen.settings import models as settings_models
from uitleen.devices import models as devices_models
from uitleen.households import models as households_models
from uitleen.loans import models as loans_models
from uitleen.vouchers import models as vouchers_models
from uitleen.helpdesk import models as helpdesk_models
from uitleen.auth import views as auth_views
from uitleen.home import views as home_views
from uitleen.settings import auditlog as settings_auditlog
from uitleen.settings import views as settings_views
from uitleen.devices import views as devices_views
from uitleen.devices import snapshot_views as devices_snapshot_views
from uitleen.devices import views_wipes as devices_wipe_views  # noqa: F401 - on devices_views.bp
from uitleen.labels import views as labels_views
from uitleen.households import views as households_views
from uitleen.loans import views as loans_views
from uitleen.loans import subscribers as loans_subscribers
from uitleen.vouchers import subscribers as vouchers_subscribers
from uitleen.helpdesk import subscribers as helpdesk_subscribers
from uitleen.labels import subscribers as labels_subscribers
from uitleen.vouchers import views as vouchers_views
from uitleen.helpdesk import views as helpdesk_views
from uitleen.reports import views as reports_views
from uitleen.settings import api as settings_api
from uitleen.devices import api as devices_api
from uitleen.labels import api as labels_api
from uitleen.households import api as households_api
from uitleen.loans import api as loans_api
from uitleen.vouchers import api as vouchers_api
from uitleen.helpdesk import api as helpdesk_api
from uitleen.reports import api as reports_api
from uitleen.auth import cli as auth_cli
from uitleen.devices import cli as devices_cli
from uitleen.labels import cli as labels_cli
from uitleen.households import cli as households_cli
from uitleen.vouchers import cli as vouchers_cli
from uitleen.helpdesk import cli as helpdesk_cli
from uitleen.reports import cli as reports_cli
from uitleen import tasks
from uitleen.devices import demo as devices_demo
from uitleen.labels import demo as labels_demo
from uitleen.households import demo as households_demo
from uitleen.loans import demo as loans_demo
from uitleen.vouchers import demo as vouchers_demo
from uitleen.helpdesk import demo as helpdesk_demo
from uitleen.reports import demo as reports_demo

# Every table must be known to the metadata (Alembic, tests) before the first query.
MODELS = (
    auth_models,
    audit_models,
    settings_models,
    devices_models,
    households_models,
    loans_models,
    vouchers_models,
    helpdesk_models,
)

# Later steps subscribing to the signals of earlier ones (see ARCHITECTURE.md).
SIGNAL_SUBSCRIBERS = (
    loans_subscribers.connect,
    vouchers_subscribers.connect,
    helpdesk_subscribers.connect,
    labels_subscribers.connect,
)

BLUEPRINTS = (
    auth_views.bp,
    home_views.bp,
    settings_auditlog.bp,
    settings_views.bp,
    devices_views.bp,
    devices_snapshot_views.bp,
    labels_views.bp,
    households_views.bp,
    loans_views.bp,
    vouchers_views.bp,
    helpdesk_views.bp,
    reports_views.bp,
)

API_BLUEPRINTS = (
    settings_api.blp,
    devices_api.blp,
    labels_api.blp,
    households_api.blp,
    loans_api.blp,
    vouchers_api.blp,
    helpdesk_api.blp,
    reports_api.blp,
)

COMMANDS = (
    *auth_cli.commands,
    *devices_cli.commands,
    *labels_cli.commands,
    *households_cli.commands,
    *vouchers_cli.commands,
    *helpdesk_cli.commands,
    *reports_cli.commands,
    *tasks.commands,
)

# seed-demo runs these in this order: later ones build on what earlier ones made.
DEMO_SEEDERS = (
    devices_demo.seed,
    labels_demo.seed,
    households_demo.seed,
    loans_demo.seed,
    vouchers_demo.seed,
    helpdesk_demo.seed,
    reports_demo.seed,
)
