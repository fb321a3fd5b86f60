"""A path whose IRI cannot exist answers 404 with a plain message — never a 500."""

from __future__ import annotations

import pytest

FORBIDDEN = ["%20", "%22", "%7B", "%7D", "%3C", "%3E", "%5C", "%5E", "%60", "%7C", "%00", "%0A",
             "%09", "%7F"]


@pytest.mark.parametrize("template", ["/id/a{c}b", "/id/project/a{c}b.ttl", "/id/{c}",
                                      "/id/a{c}b.html", "/graph/a{c}b", "/graph/a{c}b.nt"])
@pytest.mark.parametrize("accept", ["text/turtle", "text/html"])
def test_a_path_no_iri_may_have_is_404_with_a_message(read_client, template, accept):
    for char in FORBIDDEN:
        response = read_client.get(template.format(c=char), headers={"Accept": accept})
        assert response.status_code == 404, char
        text = response.get_data(as_text=True)
        assert "Traceback" not in text
        if char not in ("%0A", "%0D"):  # Werkzeug's router matches no path with a newline
            assert response.mimetype == "text/plain", char
            assert "no IRI may contain" in text


@pytest.mark.parametrize("path", ["/id/a%C3%A9b", "/id/project/a-b_c.d~e"])
def test_unusual_but_valid_characters_still_reach_the_resource_route(read_client, path):
    response = read_client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404  # no such resource: answered by the route itself
    assert "no IRI may contain" not in response.get_data(as_text=True)
