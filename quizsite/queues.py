"""Celery queue and task names: the one place each is spelled.

Settings build the queues, routes and beat schedule from these; services send tasks by name
through `quizsite.dispatch`, so a service never imports its app's `tasks` module (which
imports the service: a circle).  A task's `name=` in its `tasks.py` is the same constant.
"""

DEFAULT_QUEUE = "default"  # quick work: deadlines, sweeps, light demos
GPU_QUEUE = "gpu"  # torch work that takes minutes: training demos, parameter fits
QUEUES = (DEFAULT_QUEUE, GPU_QUEUE)

# Task names, by app.
FIT_STUDY_PARAMETERS = "flashcards.fit_study_parameters"
SWEEP_IMPORT_SESSIONS = "flashcards.delete_stale_import_sessions"
CLOSE_ATTEMPT_AT_DEADLINE = "quizzes.close_attempt_at_deadline"
RUN_DEMO = "training.run_demo"
SWEEP_STALE_RUNS = "training.sweep_stale_runs"
SEND_LTI_GRADE = "lti.send_grade"
PING = "quizsite.ping"
