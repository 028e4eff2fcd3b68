"""The site's URLs plus one test page drawing an ECharts chart (tests/browser/test_csp_browser.py):
the vendored ECharts under the site's CSP, before any real chart page exists."""

from __future__ import annotations

from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import path

from zhengji.urls import urlpatterns as site_urlpatterns

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>chart</title>
<link rel="stylesheet" href="{css}"></head><body>
<div id="chart" class="zj-mw-32" data-mode="{mode}"></div>
<script src="{echarts}"></script><script src="/csp-test/chart.js"></script></body></html>"""

SCRIPT = """
const el = document.getElementById('chart');
el.style.width = '360px'; el.style.height = '240px';  // CSSOM: allowed by the CSP
const chart = echarts.init(el);
chart.setOption({
  animation: false,
  tooltip: {trigger: 'axis', renderMode: el.dataset.mode},
  xAxis: {type: 'category', data: ['一', '二', '三']}, yAxis: {type: 'value'},
  series: [{type: 'bar', name: '作品', data: [3, 5, 2]}],
});
chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 1});
document.body.dataset.shown = '1';
"""


def chart_page(request, mode: str) -> HttpResponse:
    return HttpResponse(PAGE.format(css=static("css/site.css"), echarts=static("vendor/echarts/echarts.common.min.js"),
                                    mode=mode))


def chart_js(request) -> HttpResponse:
    return HttpResponse(SCRIPT, content_type="text/javascript")


urlpatterns = [
    path("csp-test/chart-<str:mode>/", chart_page),
    path("csp-test/chart.js", chart_js),
    *site_urlpatterns,
]
