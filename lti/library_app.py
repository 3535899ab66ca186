"""PyLTI1p3's own Django app (the platform registrations `LtiTool` and the tool's key pair
`LtiToolKey`), installed under the project's settings.

Its migration creates `AutoField` ids, while the project's DEFAULT_AUTO_FIELD is
`BigAutoField`; without saying so here, `makemigrations` would want a migration inside the
library.  The admin pages are the project's (lti/admin.py), not the library's.
"""

from django.utils.translation import gettext_lazy as _
from pylti1p3.contrib.django.lti1p3_tool_config.apps import PyLTI1p3ToolConfig


class PlatformRegistry(PyLTI1p3ToolConfig):
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("LTI platforms")  # type: ignore[assignment]
