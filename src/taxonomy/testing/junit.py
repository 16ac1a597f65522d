"""JUnit XML, the test-report format CI systems read (GitLab, Jenkins, GitHub test reporters).

``rules mutate`` and ``rules coverage`` write one: a test case per mutant or per rule, a failure
for each mutant that survived or rule that never fired. The document is one ``<testsuites>``
holding one ``<testsuite>``; the output is byte-identical for the same cases.

>>> print(junit_xml("coverage", [Case("rules", "a"), Case("rules", "b", failure="never fired")]))
<?xml version='1.0' encoding='utf-8'?>
<testsuites name="coverage" tests="2" failures="1" errors="0">
  <testsuite name="coverage" tests="2" failures="1" errors="0" skipped="0" time="0">
    <testcase classname="rules" name="a" time="0" />
    <testcase classname="rules" name="b" time="0">
      <failure message="never fired" type="failure">never fired</failure>
    </testcase>
  </testsuite>
</testsuites>
<BLANKLINE>
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import attrs

__all__ = ["Case", "junit_xml"]


@attrs.frozen
class Case:
    """One test case: passed, or failed (``failure``), or could not be run (``error``).

    Attributes:
        classname: the group the case belongs to (the rule pack, a rule).
        name: the case itself (a mutant, a rule).
        failure: why it failed (a mutant survived, a rule never fired); empty if it did not.
        error: why it could not be judged (the tests crashed on a mutant); empty if it could.
        detail: more text for the failure or error body; the message itself if empty.
    """

    classname: str
    name: str
    failure: str = ""
    error: str = ""
    detail: str = ""


def junit_xml(suite: str, cases: Sequence[Case]) -> str:
    """A JUnit XML document of ``cases``, as one test suite named ``suite``."""
    failures = sum(1 for c in cases if c.failure)
    errors = sum(1 for c in cases if c.error and not c.failure)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", {"name": suite, **counts})
    group = ET.SubElement(root, "testsuite", {"name": suite, **counts, "skipped": "0", "time": "0"})
    for case in cases:
        node = ET.SubElement(
            group, "testcase", {"classname": case.classname, "name": case.name, "time": "0"}
        )
        if case.failure:
            problem = ET.SubElement(node, "failure", {"message": case.failure, "type": "failure"})
            problem.text = case.detail or case.failure
        elif case.error:
            problem = ET.SubElement(node, "error", {"message": case.error, "type": "error"})
            problem.text = case.detail or case.error
    ET.indent(root)
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
    return buffer.getvalue().decode("utf-8") + "\n"
