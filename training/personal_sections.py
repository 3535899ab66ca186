"""Training's tables that point at a user; imported by TrainingConfig."""

from flashcards.personal_data import Policy, Section, register

register(Section("demo_runs", "training.DemoRun", "requested_by", Policy.DETACH))
register(Section("demo_attachments", "training.DemoAttachment", "created_by", Policy.DETACH))
