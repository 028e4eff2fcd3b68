"""Pictures and the edits the image and video engines must see through (shared by the tests
and bench/quality_image_video.py). Everything is generated: scikit-image's sample pictures that
ship with the package (no download), synthetic pictures, and ffmpeg clips."""

from __future__ import annotations

import io
import random
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

# scikit-image samples present offline (chelsea and cat are one photo: only chelsea is used).
SAMPLES = ("astronaut", "camera", "chelsea", "coffee", "coins", "clock", "moon", "rocket",
           "immunohistochemistry", "hubble_deep_field", "page", "text", "colorwheel", "cell", "brick",
           "grass", "gravel", "retina", "logo", "microaneurysms")


def sample(name: str, max_px: int = 256) -> Image.Image:
    import skimage.data  # noqa: PLC0415 (a dev dependency, loaded only where pictures are made)

    arr = getattr(skimage.data, name)()
    img = Image.fromarray(arr)
    if img.mode == "RGBA":
        back = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(back, img)
    img = img.convert("RGB")
    img.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
    return img


def synthetic(seed: int, size: tuple[int, int] = (256, 192)) -> Image.Image:
    """A picture in one house style (a diagonal gradient, a few rectangles and discs in a small
    palette): many seeds give same-style pictures that must not match each other."""
    rnd = random.Random(seed)
    w, h = size
    x = np.linspace(0, 1, w)[None, :]
    y = np.linspace(0, 1, h)[:, None]
    base = (120 + 80 * (x * 0.6 + y * 0.4)).astype(np.uint8)
    img = Image.fromarray(np.stack([base, base * 0 + 90, 255 - base], axis=2).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    palette = [(220, 40, 40), (250, 210, 60), (40, 120, 220), (250, 250, 250), (30, 30, 30)]
    for _ in range(6):
        x0, y0 = rnd.randrange(0, w - 40), rnd.randrange(0, h - 40)
        x1, y1 = x0 + rnd.randrange(20, w // 2), y0 + rnd.randrange(20, h // 2)
        shape = draw.ellipse if rnd.random() < 0.5 else draw.rectangle
        shape((x0, y0, x1, y1), fill=rnd.choice(palette))
    return img


def faces(count: int = 20, px: int = 128) -> list[Image.Image]:
    """Different people's faces (LFW subset in scikit-image): hard negatives of one kind."""
    import skimage.data  # noqa: PLC0415 (a dev dependency, loaded only where pictures are made)

    arr = skimage.data.lfw_subset()[:count]
    return [Image.fromarray((a * 255).astype(np.uint8)).resize((px, px), Image.Resampling.BICUBIC).convert("RGB")
            for a in arr]


def tiles(name: str, max_px: int = 512) -> list[Image.Image]:
    """Non-overlapping quarters of one sample: same scene, same style, different pictures."""
    img = sample(name, max_px)
    w, h = img.size
    return [img.crop((x, y, x + w // 2, y + h // 2)) for x in (0, w // 2) for y in (0, h // 2)]


# --- edits --------------------------------------------------------------------------------------


def _crop(img: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    w, h = img.size
    return img.crop((int(left * w), int(top * h), int(w - right * w), int(h - bottom * h)))


def recompress(img: Image.Image, quality: int = 30) -> Image.Image:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def watermark(img: Image.Image) -> Image.Image:
    """A half-transparent band with a credit line in the lower right corner."""
    out = img.convert("RGB").copy()
    w, h = out.size
    draw = ImageDraw.Draw(out, "RGBA")
    draw.rectangle((int(w * .55), int(h * .86), int(w * .97), int(h * .96)), fill=(255, 255, 255, 110))
    draw.text((int(w * .57), int(h * .87)), "(c) 2026 ZHENGJI", fill=(0, 0, 0, 200))
    return out


def hue_shift(img: Image.Image, steps: int = 30) -> Image.Image:
    """Hues turned by `steps`/256 of the circle, then a warm tint (red up 10 %, blue down 10 %)."""
    hue, sat, val = img.convert("HSV").split()
    hue = hue.point(lambda v: (v + steps) % 256)
    red, green, blue = Image.merge("HSV", (hue, sat, val)).convert("RGB").split()
    red = red.point(lambda v: min(255, int(v * 1.1)))
    blue = blue.point(lambda v: int(v * 0.9))
    return Image.merge("RGB", (red, green, blue))


def rotate(img: Image.Image, degrees: float = 3) -> Image.Image:
    """Turned a little and cropped to the picture (no empty corners), as an editor does."""
    turned = img.rotate(degrees, resample=Image.Resampling.BICUBIC)
    return _crop(turned, .03, .03, .03, .03)


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "resize": lambda im: im.resize((max(32, im.width * 2 // 5), max(32, im.height * 2 // 5)),
                                   Image.Resampling.LANCZOS),
    "crop_side_10": lambda im: _crop(im, .1, 0, 0, 0),
    "crop_corner_10": lambda im: _crop(im, 0, 0, .1, .1),
    "crop_centre_10": lambda im: _crop(im, .05, .05, .05, .05),
    "recompress": recompress,
    "watermark": watermark,
    "brighter": lambda im: ImageEnhance.Brightness(im).enhance(1.25),
    "darker": lambda im: ImageEnhance.Brightness(im).enhance(0.75),
    "colour_shift": hue_shift,
    "rotate_3": rotate,
    "mirror": ImageOps.mirror,
}


def save(img: Image.Image, path: Path, fmt: str = "JPEG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(path, fmt, quality=90) if fmt == "JPEG" else img.save(path, fmt)
    return path


# --- videos -------------------------------------------------------------------------------------


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-nostdin", *args], check=True,
                   timeout=180)


def slideshow(path: Path, pictures: list[Path], seconds: int = 3, size: str = "320x180", fps: int = 10) -> Path:
    """Each picture for `seconds`, letterboxed into `size` (16:9), as a phone app makes a clip."""
    w, h = size.split("x")
    inputs: list[str] = []
    for p in pictures:
        inputs += ["-loop", "1", "-t", str(seconds), "-i", str(p)]
    scaled = "".join(f"[{i}:v]scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
                     f"setsar=1,fps={fps},format=yuv420p[v{i}];" for i in range(len(pictures)))
    concat = "".join(f"[v{i}]" for i in range(len(pictures))) + f"concat=n={len(pictures)}:v=1:a=0[out]"
    _ffmpeg(*inputs, "-filter_complex", scaled + concat, "-map", "[out]", "-c:v", "libx264", "-preset",
            "ultrafast", "-crf", "23", str(path))
    return path


def moving_clip(path: Path, picture: Path, seconds: int = 12, size: str = "320x240", fps: int = 10) -> Path:
    """A slow pan across one picture (every second looks different, as in filmed footage)."""
    w, h = size.split("x")
    _ffmpeg("-loop", "1", "-t", str(seconds), "-i", str(picture), "-vf",
            f"scale=-2:{int(h) * 2},crop={w}:{h}:x='(iw-{w})*t/{seconds}':y='(ih-{h})*t/{seconds}',fps={fps},"
            "format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", str(path))
    return path


VIDEO_EDITS: dict[str, list[str]] = {
    "reencode": ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "35"],
    "scale": ["-vf", "scale=160:-2", "-c:v", "libx264", "-preset", "ultrafast"],
    "trim": ["-ss", "3", "-t", "6", "-c:v", "libx264", "-preset", "ultrafast"],
    "watermark": ["-vf", "drawbox=x=iw*0.6:y=ih*0.85:w=iw*0.35:h=ih*0.1:color=white@0.5:t=fill",
                  "-c:v", "libx264", "-preset", "ultrafast"],
    "webm": ["-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8"],
}


def edit_video(src: Path, dst: Path, edit: str) -> Path:
    args = VIDEO_EDITS[edit]
    if args[0] == "-ss":
        _ffmpeg("-ss", args[1], "-i", str(src), *args[2:], str(dst))
    else:
        _ffmpeg("-i", str(src), *args, str(dst))
    return dst
