"""Form widgets shared by the apps.

`RichTextWidget`: a textarea of HTML that a static script (common/richtext.js) turns into a
Quill editor (vendored under static/vendor/quill) with a Chinese toolbar, image upload and a
preview. The textarea stays the form field: the editor writes its HTML back on every change,
and without JavaScript the textarea itself is shown. Whoever saves the value must still clean
it (the editor is a convenience, not a filter). No inline script or style: the labels and URLs
travel in data- attributes, so it works under the site's CSP."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext as _


def richtext_labels() -> dict[str, str]:
    """The editor's words, in the active language (the script reads them from data-labels)."""
    return {
        "toolbar": _("Formatting"), "header": _("Paragraph style"), "normal": _("Body text"),
        "h2": _("Heading"), "h3": _("Subheading"), "bold": _("Bold"), "italic": _("Italic"),
        "ordered": _("Numbered list"), "bullet": _("Bulleted list"), "blockquote": _("Quotation"),
        "link": _("Link"), "image": _("Insert an image"), "attachment": _("Attach a file"),
        "clean": _("Clear formatting"), "preview": _("Preview"), "hide_preview": _("Hide the preview"),
        "preview_title": _("Preview: as readers will see it"), "visit": _("Open the link:"),
        "enter_link": _("Link address:"), "edit": _("Edit"), "remove": _("Remove"), "save": _("Save"),
        "uploading": _("Uploading…"), "upload_failed": _("The upload failed."), "editor": _("Text editor"),
        "preview_failed": _("The preview could not be loaded."),
    }


class RichTextWidget(forms.Textarea):
    template_name = "common/widgets/richtext.html"

    class Media:
        css = {"all": ["vendor/quill/quill.snow.css", "common/richtext.css"]}
        js = ["vendor/quill/quill.js", "common/richtext.js"]

    def __init__(self, attrs=None, *, upload_url: str = "", preview_url: str = "") -> None:
        super().__init__({"rows": 10, **(attrs or {})})
        self.upload_url = upload_url
        self.preview_url = preview_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(labels=json.dumps(richtext_labels(), ensure_ascii=False),
                                 upload_url=self.upload_url, preview_url=self.preview_url)
        return context
