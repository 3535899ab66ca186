"""The study queue's fixed statements: its context (counts and settings) and its due cards.

Each is answered by the ORM rules in tests/flashcards/test_study_queue.py and
tests/flashcards/test_study_sql.py, on both backends (this package's `__init__` says why the
hot path is written out).  The selectors that run them are in flashcards/selectors/study.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Field, Model

from flashcards.models import Card, CardState, Question, StudySettings, User
from flashcards.selectors.sql import fields, from_row

SETTINGS_FIELDS = (
    "id",
    "desired_retention",
    "learning_steps",
    "relearning_steps",
    "maximum_interval",
    "new_cards_per_day",
    "enable_fuzz",
    "parameters",
    "reviews_since_fit",
)
_SETTINGS_FIELD_OBJECTS = fields(StudySettings, SETTINGS_FIELDS)


def settings_from_row(student: User, values: Sequence) -> StudySettings:
    """A student's settings from raw values of `SETTINGS_FIELDS`, as the hot-path SQL reads them."""
    settings_row = from_row(StudySettings, _SETTINGS_FIELD_OBJECTS, values)
    settings_row.student = student
    return settings_row


STATES = CardState._meta.db_table
CARDS = Card._meta.db_table
QUESTIONS = Question._meta.db_table
SETTINGS_TABLE = StudySettings._meta.db_table
NOT_HIDDEN_SQL = "NOT s.suspended AND (s.buried_until IS NULL OR s.buried_until <= %s)"

# One row: the queue's counts, each a COUNT over an index of the student's states ((student,
# state, due) for learning and review, (student, set) for the rest), the scope's number of
# cards (the (set) index of cards) and the student's settings.  {sets} is the scope's set id
# placeholders.  Cards are made when questions are saved, sets assigned and classes joined
# (services/study/cards.py), so nothing here checks whether they are current.
CONTEXT_SQL = f"""
SELECT
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.state IN (%s, %s) AND s.due <= %s
      AND s.question_set_id IN ({{sets}}) AND {NOT_HIDDEN_SQL}) AS learning,
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.state = %s AND s.due < %s
      AND s.question_set_id IN ({{sets}}) AND {NOT_HIDDEN_SQL}) AS review,
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.question_set_id IN ({{sets}})
      AND NOT (s.state = %s AND {NOT_HIDDEN_SQL})) AS not_new,
  (SELECT COUNT(*) FROM {STATES} s
    WHERE s.student_id = %s AND s.introduced_at >= %s AND s.introduced_at < %s) AS new_today,
  (SELECT COUNT(*) FROM {CARDS} c WHERE c.question_set_id IN ({{sets}})) AS total_cards,
  {", ".join(f"ss.{name} AS s_{name}" for name in SETTINGS_FIELDS)}
FROM (SELECT 1 AS one) one
LEFT JOIN {SETTINGS_TABLE} ss ON ss.student_id = %s
"""


QUESTION_FIELDS = (
    "id",
    "kind",
    "title",
    "prompt_html",
    "answer_html",
    "question_set",
    "correct_boolean",
)
CARD_STATE_FIELDS = [f.name for f in CardState._meta.concrete_fields]
CARD_FIELDS_OWN = ("id", "question", "question_set", "side", "ordinal")
CARD_FIELDS = tuple(f"card__{f}" for f in CARD_FIELDS_OWN)


# Learning steps due now, earliest first, then the day's reviews interleaved by set: one
# query, ranked by a window over (learning or review, set) on the states alone; only the rows
# picked are joined to their card and question.
# Each table's columns are listed in model field order so that rows become instances directly.
def _loaded_fields(model: type[Model], names: Sequence[str] | None = None) -> list[Field]:
    return [f for f in model._meta.concrete_fields if names is None or f.name in names]


DUE_STATE_FIELDS = _loaded_fields(CardState)
DUE_CARD_FIELDS = _loaded_fields(Card, CARD_FIELDS_OWN)
DUE_QUESTION_FIELDS = _loaded_fields(Question, QUESTION_FIELDS)
_STATE_COLUMNS = [f.column for f in DUE_STATE_FIELDS]
_CARD_COLUMNS = [f.column for f in DUE_CARD_FIELDS]
_QUESTION_COLUMNS = [f.column for f in DUE_QUESTION_FIELDS]
DUE_SQL = f"""
SELECT {", ".join(f"s.{c}" for c in _STATE_COLUMNS)},
       {", ".join(f"c.{c}" for c in _CARD_COLUMNS)},
       {", ".join(f"q.{c}" for c in _QUESTION_COLUMNS)},
       picked.priority
FROM (
  SELECT ranked.id, ranked.priority, ranked.set_rank, ranked.question_set_id FROM (
    SELECT s.id, s.question_set_id,
           CASE WHEN s.state IN (%s, %s) THEN 0 ELSE 1 END AS priority,
           ROW_NUMBER() OVER (
             PARTITION BY CASE WHEN s.state IN (%s, %s) THEN 0 ELSE 1 END,
                          CASE WHEN s.state IN (%s, %s) THEN 0 ELSE s.question_set_id END
             ORDER BY s.due, s.id) AS set_rank
    FROM {STATES} s
    WHERE s.student_id = %s AND s.question_set_id IN ({{sets}}) AND {NOT_HIDDEN_SQL}
      AND ((s.state IN (%s, %s) AND s.due <= %s) OR (s.state = %s AND s.due < %s))
      AND s.card_id NOT IN ({{held}})
  ) ranked
  ORDER BY ranked.priority, ranked.set_rank, ranked.question_set_id
  LIMIT %s
) picked
JOIN {STATES} s ON s.id = picked.id
JOIN {CARDS} c ON c.id = s.card_id
JOIN {QUESTIONS} q ON q.id = c.question_id
ORDER BY picked.priority, picked.set_rank, picked.question_set_id
"""
