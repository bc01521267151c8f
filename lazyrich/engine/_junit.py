"""JUnit XML from a results document (one test case per claim), for CI dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def junit_xml(results: dict) -> str:
    claims = results["claims"]
    summary = results["summary"]
    failing = set(summary["failures"])
    suite = ET.Element("testsuite", name="lazyrich", tests=str(len(claims)),
                       failures=str(sum(1 for c in claims if c["id"] in failing
                                        and c["outcome"] != "error")),
                       errors=str(sum(1 for c in claims if c["outcome"] == "error")),
                       skipped="0",
                       time=f"{sum(c.get('seconds', 0.0) for c in claims):.3f}")
    for c in claims:
        case = ET.SubElement(suite, "testcase", classname=c["source"]["paper"], name=c["id"],
                             time=f"{c.get('seconds', 0.0):.3f}")
        lines = [f"{ch['name']} [{ch['kind']}]: {ch['verdict']} (max_error={ch['max_error']}, "
                 f"tolerance={ch['tolerance']}) {ch['detail']}" for ch in c["checks"]]
        text = "\n".join(lines)
        if c["outcome"] == "error":
            tb = "\n".join(ch["traceback"] or "" for ch in c["checks"])
            ET.SubElement(case, "error", message="verdict error").text = text + "\n" + tb
        elif c["id"] in failing:
            ET.SubElement(case, "failure",
                          message=f"{c['outcome']}: verdict {c['verdict']}, expected "
                                  f"{c['expected'] or 'proved/verified'}").text = text
        else:
            ET.SubElement(case, "system-out").text = f"{c['outcome']}: {c['verdict']}\n{text}"
    return ET.tostring(suite, encoding="unicode")
