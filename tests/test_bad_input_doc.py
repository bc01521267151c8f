"""docs/bad-input.md is generated from the bad-input tables of the tests with the messages this
checkout prints (tests/make_bad_input_doc.py): it cannot drift from what the code does."""

from make_bad_input_doc import DOC, render


def test_the_bad_input_page_is_current():
    want = render()
    have = DOC.read_text()
    assert have == want, ("docs/bad-input.md is out of date: run "
                          "`python tests/make_bad_input_doc.py`")
