"""The processing half of the media file service: facts from content and renditions.

Probing by content (`probe`), checking a file against a `FileRule` (`validation`), making
renditions in a work folder (`renditions`), the crash-safe task body (`runner`), queueing,
retry and requeue (`domain`), and the django-tasks task (`tasks`). It starts from a `MediaFile`
(or a local path, for validation) and knows nothing of uploads."""
