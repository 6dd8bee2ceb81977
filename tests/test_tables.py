"""The side tables' repositories (data/tables.py): their queries, durability, and that they
join an open transaction (a rollback takes their writes back too)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.store import Store
from data.tables import ExtensionRequests, JoinRequests, ReminderAcks, ReminderRuns, SendLog

DAY = dt.date(2020, 6, 30)


def test_join_requests(tmp_path):
    with Store.open(tmp_path) as s:
        requests = JoinRequests(s)
        a = requests.add({"telegram": 5, "name": "李四", "status": "pending"})
        b = requests.add({"telegram": 6, "name": "王五", "status": "pending"})
        assert requests.of_telegram(6) == {"telegram": 6, "name": "王五", "status": "pending",
                                           "id": b}
        requests.update(a, {"status": "rejected", "decided_by": "周敏"})
        assert requests.pending(a) is None and requests.pending(b)["name"] == "王五"
        assert requests.of_telegram(7) is None and requests.get(99) is None
    with Store.open(tmp_path, readonly=True) as ro:  # durable, same table as before
        assert [r["status"] for r in JoinRequests(ro).all()] == ["rejected", "pending"]
        assert [d["telegram"] for d in ro.table("join_requests").all()] == [5, 6]


def test_extension_requests_and_a_rolled_back_transaction(tmp_path):
    with Store.open(tmp_path) as s:
        ext = ExtensionRequests(s)
        first = ext.add({"case_id": 7, "status": "refused", "new_due": "2020-07-01"})
        with pytest.raises(RuntimeError):
            with s.transaction():
                ext.add({"case_id": 7, "status": "pending", "new_due": "2020-07-10"})
                assert ext.pending_for(7)["new_due"] == "2020-07-10"
                raise RuntimeError
        assert ext.pending_for(7) is None and [r["id"] for r in ext.all()] == [first]
        second = ext.add({"case_id": 7, "status": "pending", "new_due": "2020-07-20"})
        assert ext.pending_for(7)["id"] == second and ext.pending_for(8) is None


def test_reminder_runs_log_and_acks(tmp_path):
    with Store.open(tmp_path) as s:
        runs, log, acks = ReminderRuns(s), SendLog(s), ReminderAcks(s)
        assert runs.latest("daily") is None and not runs.any_before(DAY, "daily")
        runs.add({"day": "2020-06-29", "kind": "daily", "status": "done", "started_at": "a"})
        rid = runs.add({"day": "2020-06-30", "kind": "daily", "status": "running",
                        "started_at": "b"})
        runs.add({"day": "2020-07-06", "kind": "weekly", "status": "done"})
        assert runs.of(DAY, "daily")["id"] == rid and runs.latest("daily")["id"] == rid
        assert runs.any_before(DAY, "daily") and not runs.any_before(DAY, "weekly")
        for person, status in ((1, "sent"), (2, "sent"), (3, "failed")):
            log.add({"day": "2020-06-30", "kind": "daily", "person": person, "status": status})
        log.add({"day": "2020-06-30", "kind": "weekly", "person": 1, "status": "pending"})
        assert log.status_counts(DAY, "daily") == {"sent": 2, "failed": 1}
        assert [e["person"] for e in log.of_run(DAY, "weekly")] == [1]
        assert acks.record(1, "张三", DAY, "daily", 42, "2020-06-30T09:01:00+08:00")
        assert not acks.record(1, "张三", DAY, "daily", 43, "2020-06-30T09:02:00+08:00")
        assert acks.record(1, "张三", DAY, "weekly", 44, "2020-06-30T09:03:00+08:00")
        assert [(a["kind"], a["message"]) for a in acks.of_day(DAY)] == [
            ("daily", 42), ("weekly", 44)]
        assert acks.of_day(DAY + dt.timedelta(days=1)) == []
        # what jobs/reminders.py needs besides
        assert runs.start(DAY, "weekly", "c") and not runs.start(DAY, "weekly", "d")
        runs.finish(DAY, "weekly", "e")
        assert (runs.of(DAY, "weekly")["status"], runs.of(DAY, "weekly")["finished_at"]) == (
            "done", "e")
        assert [e["kind"] for e in log.entries(DAY)] == ["daily"] * 3 + ["weekly"]
        assert [e["person"] for e in log.entries(kind="weekly")] == [1]
        assert runs.remove_before(DAY) == 1 and runs.of(DAY - dt.timedelta(days=1), "daily") is None
        assert log.remove_before(DAY) == 0 and len(log.all()) == 4


def test_group_settings_with_history_and_migration(tmp_path):
    from data.tables import GroupSettings

    store = Store.open(tmp_path / "data")
    try:
        groups = GroupSettings(store)
        assert groups.commands(-5) == [] and groups.groups() == []
        groups.note(-5, "群", "周敏")
        groups.note(-5, "群", "周敏")  # no change: nothing written
        groups.set_commands(-5, "群", ["overdue"], "周敏")
        assert groups.commands(-5) == ["overdue"]
        assert [e["who"] for e in store.setting_history(GroupSettings.SETTING)] == ["周敏"] * 2
        assert groups.migrate(-5, -1000000000005, "system")
        assert not groups.migrate(-5, -1000000000005, "system")  # once
        assert groups.groups() == [(-1000000000005, "群", ["overdue"])]
        groups.forget(-1000000000005, "system")
        assert groups.groups() == []
    finally:
        store.close()
