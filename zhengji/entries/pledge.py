"""The originality pledge and licence grant every entrant accepts before submitting.

The text is versioned: an entry records which version it accepted (and when, and from which IP
address). Change the text only together with a new version string; old versions stay here so a
receipt can always show what was accepted.
"""

from __future__ import annotations

from django.utils.translation import get_language

PLEDGE_VERSION = "2025.1"

PLEDGE_TEXTS: dict[str, dict[str, str]] = {
    "2025.1": {
        "zh-hans": (
            "本人（本单位）郑重承诺：所报送作品系本人（本单位）原创，不存在抄袭、剽窃等侵犯他人"
            "著作权、肖像权、名誉权、隐私权等合法权益的情形，作品内容真实、积极健康；"
            "如发生侵权或其他纠纷，由本人（本单位）承担全部法律责任，与主办单位、承办单位无关。"
            "本人（本单位）同意授权主办单位及承办单位在公益宣传中无偿使用所报送作品"
            "（包括但不限于展示、播放、复制、汇编、网络传播），并署名作者。"
        ),
        "en": (
            "I (we) solemnly declare that the submitted work is my (our) original creation and does not "
            "infringe anyone's copyright, portrait, reputation, privacy or other lawful rights, and that its "
            "content is truthful and wholesome. I (we) bear full legal liability for any infringement or "
            "other dispute; the organisers and host units bear none. I (we) grant the organisers and host "
            "units the free use of the submitted work for public-interest promotion (including display, "
            "broadcast, reproduction, compilation and online dissemination), with the authors credited."
        ),
    },
}


def pledge_text(version: str = PLEDGE_VERSION, language: str | None = None) -> str:
    texts = PLEDGE_TEXTS.get(version) or PLEDGE_TEXTS[PLEDGE_VERSION]
    lang = (language or get_language() or "zh-hans").lower()
    return texts["en"] if lang.startswith("en") else texts["zh-hans"]
