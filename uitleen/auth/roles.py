"""The three staff roles and what each may do."""

from flask_babel import lazy_gettext

VOLUNTEER = "volunteer"  # repair workshop: devices only, never household data
INTAKE = "intake"  # households, loans, vouchers, help requests
COORDINATOR = "coordinator"  # everything, plus users and settings

ROLES = (VOLUNTEER, INTAKE, COORDINATOR)

ROLE_NAMES = {
    VOLUNTEER: lazy_gettext("Reparatievrijwilliger"),
    INTAKE: lazy_gettext("Intakemedewerker"),
    COORDINATOR: lazy_gettext("Coördinator"),
}
