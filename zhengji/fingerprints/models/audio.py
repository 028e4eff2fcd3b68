"""Fingerprint rows of the audio engine (zhengji/fingerprints/audio.py).

`AudioPrint` keeps a subject's raw Chromaprint fingerprint (for alignment and bit error rate);
`AudioHash` holds one row per sub-fingerprint (its value with the noisy low bits masked, and its
position), the only table searched: a look-up is an indexed `value IN (...)`.
"""

from django.db import models

__all__ = ["AudioHash", "AudioPrint"]


class AudioPrint(models.Model):
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    duration = models.FloatField()  # seconds, as fpcalc read them (capped)
    raw = models.BinaryField()  # little-endian uint32 sub-fingerprints, one per ~0.124 s

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="fp_audio_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} audio {self.duration:.1f}s"


class AudioHash(models.Model):
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    value = models.IntegerField()  # masked sub-fingerprint, as a signed 32-bit integer
    offset = models.IntegerField()  # position in the fingerprint (items of ~0.124 s)

    class Meta:
        indexes = [models.Index(fields=["value"], name="fp_audiohash_value"),
                   models.Index(fields=["subject_type", "subject_id"], name="fp_audiohash_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} @{self.offset}"
