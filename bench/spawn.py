"""A small process that starts the benchmarked commands, so their peak RSS is their own.

Linux carries a process's peak RSS across exec, so a child forked by the (large) benchmark
process would report at least the benchmark's own size. This helper runs with `python -S` and
imports next to nothing; it reads one JSON request a line on stdin, starts the command with
posix_spawn, waits for it with wait4, and answers with one JSON line: wall seconds, peak RSS
(bytes), exit code and the end of stderr.
"""

import json
import os
import sys
import time


def main() -> None:
    for line in sys.stdin:
        req = json.loads(line)
        err = req["stderr"]
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
        os.chdir(req["cwd"])
        start = time.perf_counter()
        pid = os.posix_spawn(req["argv"][0], req["argv"], req["env"], file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        with open(err, "rb") as f:
            tail = f.read()[-2000:].decode("utf-8", "replace")
        rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        sys.stdout.write(json.dumps({"seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss, "code": os.waitstatus_to_exitcode(status),
                                     "stderr": tail}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
