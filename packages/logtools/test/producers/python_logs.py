"""Writes a GPU server's log the way a Python service would, with a real logging library,
and prints what was logged (the answers logtrace must give) as JSON on stdout.

    /usr/bin/python3 python_logs.py pythonjsonlogger|structlog OUT_FILE

pythonjsonlogger: the standard `logging` module with python-json-logger's
JsonFormatter and its usual keys (asctime, levelname, name, message), exceptions
logged with logger.exception (the `exc_info` key holds the traceback).
structlog: structlog's JSONRenderer with add_log_level, an ISO TimeStamper and
format_exc_info (the `exception` key holds the traceback; the message is `event`).
"""
import json
import logging
import random
import sys
import traceback
import uuid

FAILURES = [
    (ValueError, "workflow has no output node"),
    (RuntimeError, "CUDA out of memory"),
    (ConnectionError, "ComfyUI refused the connection"),
]


def fail_with(kind, message):
    raise kind(message)


def scenario(log_event, log_exception):
    """Twelve requests: nine complete with a generation time, three fail with an exception."""
    rng = random.Random(20261204)
    answers = {"durations": [], "errors": [], "requests": {}}
    for n in range(12):
        request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        generation_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        ids = {"request_id": request_id, "generation_id": generation_id}
        log_event("INFO", "generation_start", "generation started", {**ids, "workflow": "txt2img"})
        events = 1
        if n % 4 == 3:
            kind, message = FAILURES[(n // 4) % len(FAILURES)]
            try:
                fail_with(kind, message)
            except Exception as error:  # noqa: BLE001 - every failure is logged the same way
                frame = traceback.extract_tb(error.__traceback__)[-1]
                log_exception("error_comfyui", "ComfyUI failed", ids)
                answers["errors"].append(
                    {"type": kind.__name__, "message": message, "last_frame": f"{frame.filename}:{frame.lineno} in {frame.name}", "request_id": request_id}
                )
            events += 1
        else:
            duration = rng.randint(1500, 90000)
            log_event("INFO", "comfyui_complete", "ComfyUI finished the prompt", {**ids, "prompt_id": f"p-{n}", "duration_ms": duration, "attempts": 3})
            answers["durations"].append(duration)
            events += 1
        answers["requests"][request_id] = events
    return answers


def with_python_json_logger(out_file):
    from pythonjsonlogger import jsonlogger

    handler = logging.FileHandler(out_file)
    handler.setFormatter(jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("gpu_server")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def log_event(level, event, message, fields):
        logger.log(getattr(logging, level), message, extra={"event": event, **fields})

    def log_exception(event, message, fields):
        logger.exception(message, extra={"event": event, **fields})

    answers = scenario(log_event, log_exception)
    handler.close()
    return answers


def with_structlog(out_file):
    import structlog

    out = open(out_file, "w", encoding="utf-8")
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(file=out),
    )
    log = structlog.get_logger()

    def log_event(level, event, message, fields):
        getattr(log, level.lower())(event, **fields)

    def log_exception(event, message, fields):
        log.exception(message, **fields)

    answers = scenario(log_event, log_exception)
    out.close()
    return answers


if __name__ == "__main__":
    library, out_file = sys.argv[1], sys.argv[2]
    producer = {"pythonjsonlogger": with_python_json_logger, "structlog": with_structlog}[library]
    json.dump(producer(out_file), sys.stdout)
