"""benchmarks/hostile.py, scaled down: one student's script cannot take the classroom server down."""

import asyncio

from benchmarks.hostile import SUITE, attack, summary


def test_the_server_survives_one_students_script(classroom_server):
    report = asyncio.run(attack(classroom_server, SUITE))
    assert report.failures() == [], summary(report)
    assert report.statuses["sweep"][200] > 0  # the flood is served as far as the queue allows
    assert set(report.statuses["sweep"]) <= {200, 503}
    assert set(report.statuses["decode 16 MP"]) <= {200, 503}
    assert dict(report.statuses["decode 40 MP"]) == {413: 1}
    assert dict(report.statuses["state dict bomb"]) in ({413: 1}, {503: 1})
    assert dict(report.statuses["jpeg scans"]) in ({413: 1}, {503: 1})
    assert dict(report.statuses["bad values"]) in ({422: 1}, {503: 1})
    assert dict(report.statuses["half head"]) == {408: 1}
