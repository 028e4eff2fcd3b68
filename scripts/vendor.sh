#!/usr/bin/env bash
# Copy the pinned npm packages' browser builds into zhengji/static/vendor (served by us, no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
dst=zhengji/static/vendor
rm -rf "$dst"; mkdir -p "$dst"/{bootstrap,bootstrap-icons,htmx,uppy,echarts,quill,axe-core,altcha}
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$dst/bootstrap/"
cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts "$dst/bootstrap-icons/"
cp node_modules/htmx.org/dist/htmx.min.js "$dst/htmx/"
cp node_modules/uppy/dist/uppy.min.js node_modules/uppy/dist/uppy.min.css "$dst/uppy/"
# Quill: the rich-text editor (rules, announcements); axe-core: accessibility checks in browser tests.
cp node_modules/quill/dist/quill.js node_modules/quill/dist/quill.snow.css "$dst/quill/"
cp node_modules/axe-core/axe.min.js "$dst/axe-core/"
# ECharts for the statistics dashboard (the common build: bar, line, pie; each chart also has a table).
cp node_modules/echarts/dist/echarts.common.min.js "$dst/echarts/"
cp node_modules/@uppy/locales/dist/zh_CN.min.js node_modules/@uppy/locales/dist/en_US.min.js "$dst/uppy/"
# ALTCHA (the vote's proof of work): the "external" build (no injected <style>, no inline workers,
# as the CSP wants), its stylesheet and the PBKDF2 worker that zhengji/public/static/public/votes.js
# registers for the PBKDF2/SHA-256 challenges the server makes (zhengji/public/votes_challenge.py).
cp node_modules/altcha/dist/external/altcha.js node_modules/altcha/dist/external/altcha.css \
  node_modules/altcha/dist/workers/pbkdf2.js node_modules/altcha/dist/i18n/zh-cn.js "$dst/altcha/"
# Drop source-map comments: the maps are not shipped, and the manifest storage of collectstatic
# fails on a reference to a missing file.
find "$dst" -type f \( -name '*.js' -o -name '*.css' \) -exec sed -i -E \
  -e 's@^//# sourceMappingURL=.*$@@' -e 's@/\*# sourceMappingURL=[^*]*\*/@@g' {} +
