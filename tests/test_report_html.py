"""persona.report._html: the page both HTML reports are built on, its shared style sheet, and the
escaped pieces (text, tables, definition lists) that go on it."""

from persona.report._html import definition_list, escaped, page, table


def test_text_is_escaped_for_elements_and_quoted_attributes():
    assert escaped("""<a href="x">Tom & 'Jerry'</a>""") == (
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;"
    )
    assert (escaped(3.5), escaped(None), escaped("plain")) == ("3.5", "None", "plain")


def test_a_table_escapes_its_header_and_every_cell():
    text = table(["persona", "<share>"], [(0, "50 % & up"), ("<b>1</b>", 0.25)])
    assert text == (
        "<table><thead><tr><th>persona</th><th>&lt;share&gt;</th></tr></thead><tbody>"
        "<tr><td>0</td><td>50 % &amp; up</td></tr>"
        "<tr><td>&lt;b&gt;1&lt;/b&gt;</td><td>0.25</td></tr></tbody></table>"
    )
    assert table(["x"], []) == "<table><thead><tr><th>x</th></tr></thead><tbody></tbody></table>"


def test_a_definition_list_keeps_its_order_and_escapes_terms_values_and_class():
    terms = {"reach": "web via <mobile>", "Cohen's d": 0.5}
    assert definition_list(terms) == (
        "<dl><dt>reach</dt><dd>web via &lt;mobile&gt;</dd><dt>Cohen&#x27;s d</dt><dd>0.5</dd></dl>"
    )
    assert definition_list({}, css_class="a' onload='x") == (
        "<dl class='a&#x27; onload=&#x27;x'></dl>"
    )


def test_the_page_puts_the_shared_style_before_its_own_and_the_body_as_given():
    own = "body { max-width: none; }\n"
    text = page("Tom & <Jerry>", "<p>$title costs $5</p>", width="640px", style=own)
    assert text.startswith(
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Tom &amp; &lt;Jerry&gt;</title>\n<style>\n"
    )
    style = text[text.index("<style>") : text.index("</style>")]
    shared = "body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 640px;"
    for rule in (shared, ".lead { color: #555; }", "td, th { padding: 0.2em 0.8em;"):
        assert style.count(rule) == 1
    # The page's own rules come last, so they override the shared ones.
    assert style.index(shared) < style.index(own) and style.endswith(own)
    # The body goes in as it is: markup kept, and no $name in it is substituted.
    assert text.endswith("</style>\n</head>\n<body>\n<p>$title costs $5</p>\n</body>\n</html>\n")


def test_a_page_without_its_own_style_has_the_shared_one_only():
    text = page("Drift", "", width="1000px")
    style = text[text.index("<style>\n") + len("<style>\n") : text.index("</style>")]
    assert style.splitlines() == [
        "body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; "
        "color: #222; }",
        ".lead { color: #555; }",
        "table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }",
        "td, th { padding: 0.2em 0.8em; border-bottom: 1px solid #eee; text-align: left; }",
    ]
