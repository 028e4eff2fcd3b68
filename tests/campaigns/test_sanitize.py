from zhengji.campaigns.sanitize import clean_html


def test_scripts_and_handlers_are_removed():
    out = clean_html('<p onclick="steal()">规则<script>alert(1)</script></p><style>p{}</style>'
                     '<a href="javascript:alert(1)">x</a><img src="/a.png" alt="示例" onerror="x()">')
    assert "script" not in out and "alert" not in out and "onclick" not in out and "onerror" not in out
    assert "javascript" not in out and "<style" not in out
    assert '<img src="/a.png" alt="示例">' in out
    assert "<p>规则</p>" in out


def test_allowed_structure_is_kept():
    html = ('<h2>一</h2><h3>二</h3><h4>三</h4><ul><li><strong>a</strong></li></ul><ol><li><em>b</em></li></ol>'
            '<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>'
            '<a href="https://example.org/x">链接</a>')
    out = clean_html(html)
    for tag in ("<h2>", "<h3>", "<h4>", "<ul>", "<ol>", "<li>", "<strong>", "<em>", "<table>", "<th>", "<td>"):
        assert tag in out
    assert 'href="https://example.org/x"' in out


def test_disallowed_tags_unwrapped_and_empty():
    assert clean_html('<h1 style="color:red">标题</h1><div>块</div>') == "标题块"
    assert clean_html(None) == "" and clean_html("") == ""
