"""Demo: the volunteer printed the labels of the devices taken in, as one sheet job."""

from uitleen.auth.roles import VOLUNTEER
from uitleen.labels import service


def seed(demo) -> None:
    devices = demo.objects.get("devices", [])
    if devices:
        service.prepare_print(
            demo.users[VOLUNTEER], "L7160", device_ids=[device.id for device in devices]
        )
