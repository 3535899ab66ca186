"""An attempt's life, one module per step; callers import from the step's module:

- `start`: start an attempt or resume the one in progress;
- `answer`: autosave answers, check one, submit;
- `finish`: grade and total on finishing, close at the deadline, feed spaced repetition;
- `rating`: the student's self-rating of free text, and an instructor's grade.
"""
