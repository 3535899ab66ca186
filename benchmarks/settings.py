"""Settings of the load benchmark's server: the site's own, plus the benchmark's URLconf."""

from quizsite.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
