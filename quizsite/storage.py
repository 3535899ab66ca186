"""Static files storage: WhiteNoise's compressed manifest, which never turns a page into a 500.

With DEBUG=0 Django's manifest storage raises ValueError for every `{% static %}` whose file
is not in `staticfiles.json`, so a deployment that forgot `collectstatic` served a 500 on
every page while `/healthz` said "ok".  Here a missing manifest, or a file missing from it,
is served under its plain name instead (WhiteNoise finds it through the finders); the web
process logs the sentence once at start-up and `/healthz` reports `static` as not ok.
`scripts/run` and the Docker image collect static files, so this is the fallback only.
"""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

MISSING_MANIFEST = (
    "Static files have not been collected ({path} is missing): pages are served with "
    "unversioned static URLs. Run `python manage.py collectstatic --noinput` before starting "
    "the web server with DEBUG=0 (scripts/run and the Docker image do)."
)


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def manifest_problem(self) -> str | None:
        """A sentence when the manifest is missing, else None."""
        if self.hashed_files or self.exists(self.manifest_name):
            return None
        return MISSING_MANIFEST.format(path=self.path(self.manifest_name))

    def stored_name(self, name):
        if not self.hashed_files:
            return name
        try:
            return super().stored_name(name)
        except ValueError:
            logger.error("static file %r is not in the manifest: served unversioned", name)
            return name
