"""Fingerprint rows of the video engine: its frame hashes are `PerceptualHash` rows (medium
"video", one a second, `at` the second); this row says what was sampled."""

from django.db import models

__all__ = ["VideoSignature"]


class VideoSignature(models.Model):
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    duration = models.FloatField(default=0)  # seconds sampled
    frames = models.IntegerField(default=0)  # frames hashed (uniform frames are skipped)
    truncated = models.BooleanField(default=False)  # stopped at the time or length limit

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="fp_video_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} video {self.duration:.0f}s"
