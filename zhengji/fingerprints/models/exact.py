"""Exact copies: the sha256 of a file's bytes."""

from django.db import models

__all__ = ["ExactHash"]


class ExactHash(models.Model):
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="fp_exact_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.sha256[:12]}"
