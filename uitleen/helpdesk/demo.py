"""Demo help requests: households on several devices, in several languages and states."""

from datetime import timedelta

from uitleen.extensions import db
from uitleen.helpdesk import service

# (category, message, call-back number, language, hours ago, what the desk did)
REQUESTS = [
    ("no_internet", "", "06 21436587", "ar", 2, "new"),
    ("password", "Ik weet mijn wachtwoord niet meer.", "", "nl", 5, "new"),
    ("sound_camera", "Kamera nie działa na lekcji.", "+48 512 345 678", "pl", 20, "in_progress"),
    ("no_start", "", "06 98761234", "tr", 30, "in_progress"),
    ("broken", "Екран тріснув. Вибачте!", "", "uk", 70, "done"),
    ("other", "How do I print a letter?", "06 55512345", "en", 100, "done"),
]
NOTES = {
    "in_progress": "Teruggebeld, komt donderdag naar het inloopspreekuur.",
    "done": "Langs geweest en samen opgelost.",
}


def _devices_for_help(demo) -> list:
    """Devices households have now first, then any other with a live label."""
    devices = demo.objects.get("devices") or []
    on_loan = [d for d in devices if d.state == "on_loan"]
    others = [d for d in devices if d.state not in ("recycled", "gifted", "on_loan")]
    return on_loan + others


def seed(demo) -> None:
    devices = _devices_for_help(demo)
    if not devices:
        return  # the devices seeder made nothing to scan
    desk = demo.users["intake"]
    made = []
    for n, (category, message, phone, language, hours, status) in enumerate(REQUESTS):
        label = service.lookup(devices[n % len(devices)].public_token)
        help_request = service.create_request(label, category, message, phone, language)
        help_request.created_at = demo.now - timedelta(hours=hours)
        db.session.flush()
        if status in ("in_progress", "done"):
            service.take(desk, help_request)
            service.add_note(desk, help_request, NOTES["in_progress"])
        if status == "done":
            service.close(desk, help_request, NOTES["done"])
        made.append(help_request)
    db.session.flush()
    demo.objects["help_requests"] = made
