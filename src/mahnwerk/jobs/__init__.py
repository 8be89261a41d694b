"""Jobs of the workers (``mahnwerk worker``): delivery of the outbox, the daily run on its
schedule, and the other periodic jobs.

- :mod:`mahnwerk.jobs.periodic`: the registry of periodic jobs (one line to add one) and
  the built-in ones (daily run, scores, webhook retries).
- :mod:`mahnwerk.jobs.schedule`: when the daily run is due (working days of the agency's
  Land, local time in Europe/Berlin).
- :mod:`mahnwerk.jobs.worker`: one worker process: heartbeat, queueing due messages,
  periodic jobs, and the engine that runs the delivery jobs: procrastinate on PostgreSQL
  (:mod:`mahnwerk.jobs.engine`), the same code in-process on SQLite.
"""
