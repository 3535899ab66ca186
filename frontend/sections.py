"""The sections other features add to the dashboard, a set's page and the editors.

Each page lists its sections here, explicitly and in the order they are shown, instead of
features appending themselves to lists when their module is imported: what a page shows is
read in one place, and nothing depends on import order.
"""

from __future__ import annotations

from frontend.views import demos, imports, quizzes, study

# The dashboard: (user) -> context entries.  Study first (what is due today), then quizzes.
DASHBOARD_SECTIONS = (study.dashboard_section, quizzes.dashboard_section)

# Buttons on a set's page: (user, question_set) -> list of {"label", "url"}.
SET_ACTIONS = (study.study_set_actions, quizzes.quiz_set_actions)

# Download links on a set's page: (user, question_set) -> list of {"label", "format", "url"}.
SET_EXPORTS = (imports.export_links,)

# Tools in the set editor: (question_set) -> list of {"label", "url"}.
SET_EDITOR_TOOLS = (imports.import_editor_extra,)

# Panels in the question editor: (question) -> list of {"template", **context}.
QUESTION_EDITOR_PANELS = (demos.question_demo_panel,)
