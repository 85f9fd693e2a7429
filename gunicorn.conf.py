"""gunicorn settings for the service, read by `gunicorn --config gunicorn.conf.py app:app`
(README's production command) and by bench/harness.py, which the gunicorn tests and the
load and throughput benchmarks use. The address and the number of workers are given on the
command line, as they depend on the machine.

Workers are gunicorn's default synchronous ones: each serves one request at a time, and the
app holds no state between requests (signed-cookie sessions, throttling counts in Redis).
"""

# A synchronous worker cannot tell the master it is alive while it serves a request, so the
# timeout is the longest any one request may run before the master kills the worker.
# Nothing the service does in a request takes long: workbooks and board packs for more than
# LARGE_EXPORT_STAFF people are built by the job queue's worker (learning/jobs/), the
# partnership's figures are counted there too, and uploads bound their own work. So this is
# gunicorn's default, written down: a request still running after it is a fault, and the
# worker is replaced rather than kept busy.
timeout = 30

# On a restart (HUP, or a deploy's TERM) a worker finishes the request it is serving, up to
# this long, then is stopped. Every request finishes well within it; the worker's jobs are
# not gunicorn's (a job cut off by a deploy is queued again by the clean-up).
graceful_timeout = 60

# Each worker is replaced after this many requests, so memory a long-lived process gathers
# (large exports grow the heap, which Python seldom gives back) is returned regularly. The
# jitter spreads the replacements out so the workers are never all starting at once. High
# enough that, at the traffic a partnership has, a worker lives for days, and a benchmark
# run replaces each worker only a few times.
max_requests = 10000
max_requests_jitter = 1000

# The longest address the service makes is a staff search (at most 100 characters, up to
# 1,200 bytes percent-encoded) with its filters, carried in a sign-in link's `next`, where
# it is percent-encoded again: within 4,094 bytes, gunicorn's default, which is kept
# written down here. A longer request line is refused with 414 before the app sees it.
limit_request_line = 4094
