"""The small classifier that scores generated samples (STUDY.md 3, sample quality)."""
