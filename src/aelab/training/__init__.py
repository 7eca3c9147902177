"""The one training loop shared by every family, its checkpoints and seeding."""
