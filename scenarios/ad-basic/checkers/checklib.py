"""Shared pieces of the ad-basic checkers: the Hackerdom exec protocol.

    checker info
    checker check HOST
    checker put HOST FLAG_ID FLAG VULN   (first stdout line: the flag id to use in get)
    checker get HOST FLAG_ID FLAG VULN

Exit codes: 101 OK, 102 CORRUPT, 103 MUMBLE, 104 DOWN, 110 CHECKER_ERROR. stdout is shown
to the team, stderr only to trainers. HOST may carry a port (`10.60.1.3:8080`).
"""

import hashlib
import json
import secrets
import socket
import sys
import traceback

OK, CORRUPT, MUMBLE, DOWN, CHECKER_ERROR = 101, 102, 103, 104, 110

# Seconds to connect (a stopped container is DOWN quickly) and for every later socket
# operation; together well below the scenario's checker timeout, so that the checker
# answers DOWN itself instead of being killed.
CONNECT_TIMEOUT = 2.0
TIMEOUT = 3.0


class Verdict(Exception):
    """Ends the run with `code`; `public` goes to the team, `private` to trainers."""

    def __init__(self, code, public, private=""):
        super().__init__(public)
        self.code = code
        self.public = public
        self.private = private


def corrupt(public, private=""):
    return Verdict(CORRUPT, public, private)


def mumble(public, private=""):
    return Verdict(MUMBLE, public, private)


def down(public, private=""):
    return Verdict(DOWN, public, private)


def connect(host, port):
    """A TCP connection with the connect timeout, then the I/O timeout."""
    sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def split_host(host, default_port):
    """`HOST` or `HOST:PORT` -> (host, port)."""
    if host.count(":") == 1:
        h, p = host.rsplit(":", 1)
        if p.isdigit():
            return h, int(p)
    return host, default_port


def secret_for(flag, purpose):
    """A credential derived from the flag: the checker can recompute it in `get`, an
    attacker who only sees the flag id cannot."""
    return hashlib.sha256(f"ad-basic:{purpose}:{flag}".encode()).hexdigest()[:24]


def random_name(prefix, n=10):
    return prefix + secrets.token_hex(n // 2 + 1)[:n]


def network_error(e):
    """A socket-level failure as a DOWN verdict."""
    return down("service unreachable", f"{type(e).__name__}: {e}")


def main(info, check, put, get):
    """Dispatches argv to the action functions; every outcome becomes an exit code."""
    args = sys.argv[1:]
    try:
        if args[:1] == ["info"]:
            print(json.dumps(info))
            return OK
        if len(args) == 2 and args[0] == "check":
            check(args[1])
        elif len(args) == 5 and args[0] in ("put", "get"):
            _, host, flag_id, flag, vuln = args
            if not vuln.isdigit() or not 1 <= int(vuln) <= info["vulns"]:
                print(f"vuln must be 1..{info['vulns']}", file=sys.stderr)
                return CHECKER_ERROR
            fn = put if args[0] == "put" else get
            out = fn(host, flag_id, flag, int(vuln))
            if out:
                print(out)
        else:
            print(
                "usage: checker {info|check HOST|put HOST FLAG_ID FLAG VULN|get HOST FLAG_ID FLAG VULN}",
                file=sys.stderr,
            )
            return CHECKER_ERROR
        return OK
    except Verdict as v:
        print(v.public)
        if v.private:
            print(v.private, file=sys.stderr)
        return v.code
    except (socket.timeout, TimeoutError, ConnectionError, OSError) as e:
        v = network_error(e)
        print(v.public)
        print(v.private, file=sys.stderr)
        return v.code
    except Exception:  # a bug in the checker: never held against the team
        traceback.print_exc()
        return CHECKER_ERROR
