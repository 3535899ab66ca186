"""Pure grading of one response against one question snapshot, one module per job:

- `results`: what a grade is (`Grade`, `Status`, marks, the self-rating policy);
- `matching`: how a typed answer meets the key (text normalisation, patterns, numbers);
- `responses`: checking a response and its stored form (`validate_response`);
- `graders`: grading per kind (`grade`), the right answer a review shows, the study rating.

Nothing here touches the database; callers import from the module that does the job.
"""
