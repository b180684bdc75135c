"""Writes python-json-logger lines whose times have no zone, at chosen instants on both
sides of New York's 2026 daylight-saving changes, and prints the instants (epoch ms) as
JSON on stdout. Run it in the zone the lines are to be in:

    TZ=America/New_York /usr/bin/python3 python_local_times.py OUT_DIR

OUT_DIR/gpu_server.log: python-json-logger's default keys (asctime, levelname, name,
message), `asctime` as logging writes it ("2026-11-01 00:30:00,750").
OUT_DIR/backend.log: `asctime` renamed to `timestamp`, with datefmt "%Y-%m-%dT%H:%M:%S"
(whole seconds: the instants are cut to the second).
"""
import json
import logging
import os
import sys

from pythonjsonlogger import jsonlogger

# 01:30 EST and 03:30 EDT on 8 March; 00:30 EDT and 02:30 EST on 1 November; a summer noon.
INSTANTS_MS = [1772951400250, 1772955000500, 1793507400750, 1793518200125, 1782907200000]


def write(path, name, formatter, instants):
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(formatter)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.propagate = False
    for i, ms in enumerate(instants):
        record = logger.makeRecord(name, logging.ERROR, __file__, 0, "ComfyUI failed %d", (i,), None)
        record.created = ms / 1000
        record.msecs = ms % 1000
        logger.handle(record)
    handler.close()


def main():
    out = sys.argv[1]
    write(os.path.join(out, "gpu_server.log"), "gpu_server", jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"), INSTANTS_MS)
    seconds = [ms - ms % 1000 for ms in INSTANTS_MS]
    renamed = jsonlogger.JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S", rename_fields={"asctime": "timestamp"}
    )
    write(os.path.join(out, "backend.log"), "backend", renamed, seconds)
    json.dump({"gpu_server": INSTANTS_MS, "backend": seconds}, sys.stdout)


main()
