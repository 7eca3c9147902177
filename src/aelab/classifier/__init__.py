"""The small classifier that scores generated samples (docs/study.md 3, sample quality)."""
