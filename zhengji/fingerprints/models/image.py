"""Fingerprint rows of the image engine, and the perceptual hash index it shares with the video
engine (a video's frames are rows of the same index, so a video made of entered photos is found
by the same look-up; docs/fingerprints.md)."""

from django.db import models

__all__ = ["ImageSignature", "PerceptualHash"]


class PerceptualHash(models.Model):
    """One 64-bit pHash of a picture (a crop variant of an image, or a video frame), cut into four
    16-bit segments, each in its own indexed column (multi-index hashing: a hash within distance
    r of the query shares a segment within r // 4 bits of it)."""

    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    medium = models.CharField(max_length=8)  # "image" or "video"
    variant = models.SmallIntegerField(default=0)  # imagehashing.VARIANT_BOXES index; 0 for frames
    at = models.IntegerField(default=0)  # a video frame's second; 0 for images
    value = models.BigIntegerField()  # the hash, as a signed 64-bit integer
    s0 = models.IntegerField()
    s1 = models.IntegerField()
    s2 = models.IntegerField()
    s3 = models.IntegerField()

    class Meta:
        # (segment, value): a look-up checks the distance inside the index, never reading the
        # table for a row that is too far.
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="fp_phash_subject"),
                   *(models.Index(fields=[f"s{i}", "value"], name=f"fp_phash_s{i}") for i in range(4))]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.medium} v{self.variant} t{self.at}"


class ImageSignature(models.Model):
    """What the verifier needs of one image: the whole picture's hashes and a 64×64 grey
    thumbnail (4 KB)."""

    subject_type = models.CharField(max_length=16)
    subject_id = models.BigIntegerField()
    phash = models.BigIntegerField()
    dhash = models.BigIntegerField()
    mirror_phash = models.BigIntegerField()  # of the picture flipped left to right
    width = models.IntegerField(default=0)
    height = models.IntegerField(default=0)
    thumb = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id"], name="fp_image_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} image"
