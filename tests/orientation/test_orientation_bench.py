"""The orientation benchmarks run (on a small scale here; `dora bench` measures them at
100,000 referrals)."""

from __future__ import annotations


def test_the_benchmarks_run_on_a_small_scale(app, db_session, make_service, monkeypatch, capsys):
    from dora.orientation import bench

    for _ in range(5):
        make_service()
    monkeypatch.setattr(bench, "SERVICES", 5)
    monkeypatch.setattr(bench, "REFERRALS", 300)
    monkeypatch.setattr(bench, "PRESCRIBERS", 3)
    monkeypatch.setattr(bench, "REPEAT", 2)
    bench.bench_inbox()
    bench.bench_statistics()
    output = capsys.readouterr().out
    assert "orientations reçues (à traiter, page 1) (dora)" in output
    assert "statistiques : une structure et ses services" in output
    assert "p50 ratio" in output
