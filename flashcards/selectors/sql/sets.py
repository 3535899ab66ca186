"""The read and study rules for question sets, as SQL conditions for the study hot path.

Each statement here has an ORM twin in flashcards/selectors/content.py, which is the rule as
the rest of the project reads it; tests/flashcards/test_study_sql.py holds each pair equal for
every relation (owner, co-editor, class member, class owner, stranger) and visibility.

`{qs}` in a condition is the alias of the question-set table in the statement that uses it.
"""

from __future__ import annotations

from flashcards.models import Classroom, Membership, Question, QuestionSet

SETS = QuestionSet._meta.db_table
QUESTIONS = Question._meta.db_table
_CO_EDITORS = QuestionSet.co_editors.through._meta
_ASSIGNED = Classroom.question_sets.through._meta
_MEMBERSHIP = Membership._meta
CO_EDITORS = _CO_EDITORS.db_table
CO_EDITOR_SET = _CO_EDITORS.get_field("questionset").column
CO_EDITOR_USER = _CO_EDITORS.get_field("user").column
ASSIGNED = _ASSIGNED.db_table
ASSIGNED_SET = _ASSIGNED.get_field("questionset").column
ASSIGNED_CLASS = _ASSIGNED.get_field("classroom").column
MEMBERSHIPS = _MEMBERSHIP.db_table
MEMBER_CLASS = _MEMBERSHIP.get_field("classroom").column
MEMBER_USER = _MEMBERSHIP.get_field("user").column

# Twin of `sets_visible_to`.  Parameters: public, user, user, classes, user, user.
VISIBLE_SET = f"""(
  {{qs}}.visibility = %s OR {{qs}}.owner_id = %s
  OR {{qs}}.id IN (SELECT {CO_EDITOR_SET} FROM {CO_EDITORS} WHERE {CO_EDITOR_USER} = %s)
  OR ({{qs}}.visibility = %s AND {{qs}}.id IN (
      SELECT a.{ASSIGNED_SET} FROM {ASSIGNED} a
      JOIN {Classroom._meta.db_table} cl ON cl.id = a.{ASSIGNED_CLASS}
      WHERE cl.owner_id = %s OR cl.id IN (
        SELECT m.{MEMBER_CLASS} FROM {MEMBERSHIPS} m WHERE m.{MEMBER_USER} = %s))))"""

# Twin of `sets_studied_by_rule`: a set study must not show now.  Quiz-only sets never; a set
# holding a question whose key is locked (a quiz in progress) unless the user edits the set.
# {locks} is a SELECT of the locked question ids.  Parameters: quiz_only, user, user, then
# the locks' own.
WITHHELD_SET = f"""(
  {{qs}}.visibility = %s OR (
    {{qs}}.owner_id <> %s
    AND {{qs}}.id NOT IN (SELECT {CO_EDITOR_SET} FROM {CO_EDITORS} WHERE {CO_EDITOR_USER} = %s)
    AND EXISTS (SELECT 1 FROM {QUESTIONS} lq
                WHERE lq.question_set_id = {{qs}}.id AND lq.id IN ({{locks}}))))"""

# Twin of `studied_set_ids` (the sets a user studies when they pick none), less the withheld
# ones.  Parameters: user, user, public, classes, user, then WITHHELD_SET's.
STUDY_SETS = f"""
SELECT qs.id FROM {SETS} qs
WHERE (qs.owner_id = %s
   OR qs.id IN (SELECT {CO_EDITOR_SET} FROM {CO_EDITORS} WHERE {CO_EDITOR_USER} = %s)
   OR (qs.visibility IN (%s, %s) AND qs.id IN (
        SELECT a.{ASSIGNED_SET} FROM {ASSIGNED} a
        JOIN {MEMBERSHIPS} m ON m.{MEMBER_CLASS} = a.{ASSIGNED_CLASS}
        WHERE m.{MEMBER_USER} = %s)))
  AND NOT {WITHHELD_SET.format(qs="qs", locks="{locks}")}
ORDER BY qs.id
"""

# The given sets less the withheld ones.  {ids}: the set id placeholders.
STUDIED_AMONG = f"""
SELECT qs.id FROM {SETS} qs
WHERE qs.id IN ({{ids}}) AND NOT {WITHHELD_SET.format(qs="qs", locks="{locks}")}
"""

# One set the user may read, with whether study withholds it now: the set scope of a study
# request in one statement.  Twin: `get_object_or_404(sets_visible_to(user), pk=…)` and
# `sets_studied_by_rule`.  {visible}: `visible_set_condition` (anonymous users read public
# sets only).  Parameters: WITHHELD_SET's, the set id, the condition's.
SET_FIELDS = list(QuestionSet._meta.concrete_fields)
READABLE_SET = f"""
SELECT {", ".join(f"qs.{f.column}" for f in SET_FIELDS)},
       CASE WHEN {WITHHELD_SET.format(qs="qs", locks="{locks}")} THEN 1 ELSE 0 END AS withheld
FROM {SETS} qs
WHERE qs.id = %s AND {{visible}}
"""
