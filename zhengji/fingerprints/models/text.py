"""Fingerprint rows of the text engine (zhengji/fingerprints/text.py).

`TextPrint` keeps one subject's MinHash signatures, one per content-defined chunk of its
normalised text (to verify and score a candidate without the text itself); `TextBand` holds the
LSH band keys of those signatures, the only table searched: a look-up is an indexed `key IN (...)`.
"""

from django.db import models

__all__ = ["TextBand", "TextPrint"]


class TextPrint(models.Model):
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    length = models.PositiveIntegerField()  # characters of the normalised text
    digest = models.CharField(max_length=64, db_index=True)  # sha256 of the normalised text
    # Little-endian uint32: chunks x permutations MinHash values, and (start, end) per chunk.
    signatures = models.BinaryField()
    spans = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="fp_text_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} text {self.length}"


class TextBand(models.Model):
    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    band = models.SmallIntegerField()  # band number; -1: the whole short text (identical only)
    key = models.BigIntegerField()  # 63-bit hash of (band number, the band's MinHash values)

    class Meta:
        indexes = [models.Index(fields=["key"], name="fp_textband_key"),
                   models.Index(fields=["subject_type", "subject_id"], name="fp_textband_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} band {self.band}"
