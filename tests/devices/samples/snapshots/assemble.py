"""Build the workbench-script snapshots in this folder from the raw tool output beside them.

The envelope and the encoding follow workbench-script.py's gen_snapshot() and main():
`data.smartctl` is json.dumps() of the list of `smartctl -x --json=cosviu` objects, `data.dmidecode`
is dmidecode's text, `data.inxi` is inxi's JSON text, and the whole snapshot is json.dumps()'d.
Run: python3 assemble.py (writes *.snapshot.json; see PROVENANCE.md).
"""

import json
from pathlib import Path

HERE = Path(__file__).parent


def snapshot(folder, uuid, timestamp, disks, inxi):
    data = {
        "smartctl": json.dumps([json.loads((HERE / folder / d).read_text()) for d in disks]),
        "dmidecode": (HERE / folder / "dmidecode.txt").read_text(),
        "inxi": inxi,
    }
    return {
        "timestamp": timestamp,
        "type": "Snapshot",
        "uuid": uuid,
        "software": "workbench-script",
        "version": "0.0.1",
        "operator_id": "",
        "data": data,
        "erase": [],
    }


def main():
    vm = snapshot(
        "firecracker-vm",
        "6f1c2a8e-1d7b-4c55-9a39-0b6f3f1e2d10",
        "2026-12-06 09:56:28.000000",
        ["smartctl-zram0.json", "smartctl-vda.json"],
        (HERE / "firecracker-vm" / "inxi.json").read_text(),
    )
    (HERE / "firecracker-vm.snapshot.json").write_text(json.dumps(vm))
    dell = snapshot(
        "dell-latitude-e7240",
        "41858da1-5a7c-47a5-b5d2-f1a666a99ed5",
        "2025-01-23 11:44:29.577819",
        ["smartctl-sda.json", "smartctl-sdb.json"],
        (HERE / "dell-latitude-e7240" / "inxi.json").read_text(),
    )
    (HERE / "dell-latitude-e7240.snapshot.json").write_text(json.dumps(dell))
    # The guest has no inxi: workbench-script's os.popen("sudo inxi ...").read() gives "".
    qemu = snapshot(
        "qemu-pc",
        "0c7e2f4a-8b1d-4e6f-9a3c-5d2b7e1f4a42",
        (HERE / "qemu-pc" / "date.txt").read_text().strip() + ".000000",
        ["smartctl-sda.json"],
        "",
    )
    (HERE / "qemu-pc.snapshot.json").write_text(json.dumps(qemu))


if __name__ == "__main__":
    main()
