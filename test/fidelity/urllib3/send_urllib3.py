"""Sends Sluice's retry differential cases with real urllib3 (used by urllib3.test.ts).

Reads {"now": <epoch seconds>, "cases": [{"method", "url", "headers", "body", "retry", "timeout"}]}
as JSON on stdin and answers JSON on stdout: {"version", "python", "defaults", "results": [...]}.
Each case is one `PoolManager().urlopen(method, url, retries=Retry(**retry))`. urllib3's sleeps are
recorded instead of slept, and its clock reads `now`, so Retry-After dates and backoffs are compared
as numbers, not waited for. A result holds the outcome (the final response's status and body, or the
error's class, with the `reason` of a MaxRetryError), the sleeps in seconds, and the number of HTTP
attempts urllib3 made (`_make_request` calls, refused connections included).
"""

import json
import sys

import urllib3
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util import retry as retry_module
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout


class RecordingClock:
    """Stands in for the `time` module inside urllib3.util.retry: a fixed clock, recorded sleeps."""

    def __init__(self, now):
        self.now = now
        self.sleeps = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def __getattr__(self, name):
        raise AttributeError(f"urllib3.util.retry used time.{name}, which this clock does not provide")


attempts = [0]
original_make_request = HTTPConnectionPool._make_request


def counting_make_request(self, *args, **kwargs):
    attempts[0] += 1
    return original_make_request(self, *args, **kwargs)


HTTPConnectionPool._make_request = counting_make_request


def outcome(case):
    try:
        retries = Retry(**case["retry"])
    except TypeError as error:
        return {"error": "TypeError", "message": str(error)}
    manager = urllib3.PoolManager()
    try:
        response = manager.urlopen(
            case["method"],
            case["url"],
            body=case.get("body"),
            headers=dict(case.get("headers", {})),
            retries=retries,
            timeout=Timeout(connect=case["timeout"], read=case["timeout"]),
        )
        return {"status": response.status, "body": response.data.decode("utf-8", "replace")}
    except MaxRetryError as error:
        answer = {"error": "MaxRetryError", "reason": type(error.reason).__name__}
        if isinstance(error.reason, ResponseError):
            answer["message"] = str(error.reason)
        return answer
    except Exception as error:  # noqa: BLE001 - every failure is an answer
        return {"error": type(error).__name__}
    finally:
        manager.clear()


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        clock = RecordingClock(request["now"])
        retry_module.time = clock
        attempts[0] = 0
        answer = outcome(case)
        answer["sleeps"] = clock.sleeps
        answer["attempts"] = attempts[0]
        results.append(answer)
    defaults = Retry()
    json.dump(
        {
            "version": urllib3.__version__,
            "python": sys.version.split()[0],
            "defaults": {
                "total": defaults.total,
                "allowed_methods": sorted(Retry.DEFAULT_ALLOWED_METHODS),
                "remove_headers_on_redirect": sorted(Retry.DEFAULT_REMOVE_HEADERS_ON_REDIRECT),
                "backoff_max": getattr(Retry, "DEFAULT_BACKOFF_MAX", None),
                "retry_after_max": getattr(Retry, "DEFAULT_RETRY_AFTER_MAX", None),
                "status_codes_with_retry_after": sorted(Retry.RETRY_AFTER_STATUS_CODES),
            },
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
