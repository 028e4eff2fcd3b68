"""The upload half of the media file service: bytes in, resumably.

tus server (`tus`), S3 multipart signing and staging (`storage`), every upload state change and
the per-user quota (`services`), cleanup of expired uploads (`tasks`), and ingest (`ingest`,
`views.ingest`): a complete upload is validated against the FileRule of its target
(`media.targets`) and handed over to the processing half as a `MediaFile`. The processing half
never imports this package."""
