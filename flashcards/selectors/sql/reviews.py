"""The rating's one read: the card (under the read and study rules), the student's state of
it and an earlier review with the same client id.

Run by flashcards/services/study/reviews.py (`_card_with_state`) under the student's lock.
Its ORM twin is the read rule (`sets_visible_to`) with the study rule
(`sets_studied_by_rule`); tests/flashcards/test_study_api.py and
tests/quizzes/test_answer_key_secrecy.py hold what it lets through.
"""

from __future__ import annotations

from flashcards.models import Card, CardState, QuestionSet, ReviewLog
from flashcards.selectors.sql import column, fields

STATE_FIELDS = [
    f.attname for f in CardState._meta.concrete_fields if f.attname not in ("student_id", "card_id")
]


CARD_WITH_STATE_SQL = f"""
SELECT c.id, c.question_set_id,
  (SELECT r.card_id FROM {ReviewLog._meta.db_table} r
    WHERE r.student_id = %s AND r.client_review_id = %s) AS stored_card,
  CASE WHEN {{withheld}} THEN 1 ELSE 0 END AS withheld,
  {", ".join(f"s.{column(CardState, f)}" for f in STATE_FIELDS)}
FROM {Card._meta.db_table} c
JOIN {QuestionSet._meta.db_table} qs ON qs.id = c.question_set_id
LEFT JOIN {CardState._meta.db_table} s ON s.card_id = c.id AND s.student_id = %s
WHERE c.id = %s AND {{visible}}
"""
CARD_STATE_READ_FIELDS = fields(CardState, STATE_FIELDS)  # model order
