"""The store is fair between addresses: one address past its quota evicts only its own uploads,
and the store stays bounded in total while many addresses fill it."""

from fastapi.testclient import TestClient
import torch

from app.config import get_settings
from app.main import create_app
from app.store import BlobStore, ImageStore
from tests import corpus


def image(n: int) -> torch.Tensor:
    return torch.full((3, 2, 2), (n % 256) / 255).index_fill_(2, torch.tensor([0]), (n // 256) / 255)


def test_one_address_past_its_quota_evicts_only_its_own_oldest(tmp_path):
    store = ImageStore(tmp_path, max_items=64, per_address=4)
    student = store.put(image(0), client="10.0.0.2")
    attacker = [store.keep(image(n), client="10.0.0.66") for n in range(1, 300)]
    assert [kept.evicted for kept in attacker[:4]] == [[]] * 4
    assert attacker[4].evicted == [attacker[0].id]  # its own least recently used, named in the answer
    assert all(len(kept.evicted) == 1 for kept in attacker[4:])
    store.get(student)  # still there
    kept = {path.stem for path in tmp_path.glob("*.npy")}
    assert kept == {student} | {kept.id for kept in attacker[-4:]}


def test_a_used_upload_is_kept_over_the_addresses_older_ones(tmp_path):
    store = ImageStore(tmp_path, max_items=64, per_address=2)
    first, second = store.put(image(1), "a"), store.put(image(2), "a")
    store.get(first)  # used since: second is now the least recently used
    assert store.keep(image(3), "a").evicted == [second]


def test_many_addresses_fill_the_store_bounded_and_a_student_keeps_their_upload(tmp_path):
    store = ImageStore(tmp_path, max_items=32, per_address=8)
    students = [store.put(image(n), client=f"10.0.1.{n}") for n in range(4)]
    for n in range(280):  # 14 addresses, 20 images each, as in the issue
        store.put(image(1000 + n), client=f"10.0.2.{n % 14}")
    stored = {path.stem for path in tmp_path.glob("*.npy")}
    assert len(stored) == 32  # bounded in total
    assert set(students) <= stored  # the biggest holders lost theirs, not the students with one each


def test_when_every_address_holds_as_many_it_is_the_plain_lru(tmp_path):
    store = ImageStore(tmp_path, max_items=3, per_address=8)
    ids = [store.put(image(n), client=f"10.0.0.{n}") for n in range(4)]
    assert {path.stem for path in tmp_path.glob("*.npy")} == set(ids[1:])


def test_an_upload_shared_by_two_addresses_stays_while_one_still_holds_it(tmp_path):
    store = BlobStore(tmp_path, 16, ".bin", ("file",), "blob", per_address=1)
    shared = store.put(b"shared", client="a")
    assert store.put(b"shared", client="b") == shared
    assert store.keep(b"own", client="a").evicted == [shared]  # a's quota: a lets go of it ...
    assert store.get(shared) == b"shared"  # ... but b holds it still
    assert store.keep(b"other", client="b").evicted == [shared]
    assert not (tmp_path / f"{shared}.bin").exists()


def test_the_upload_answer_names_what_the_quota_evicted(monkeypatch, tmp_path):
    env = {"STORE_DIR": str(tmp_path), "STORE_ITEMS_PER_ADDRESS": "2", "UPLOADS_PER_MINUTE": "100"}
    for name, value in env.items():
        monkeypatch.setenv(f"POINTWISE_{name}", value)
    get_settings.cache_clear()
    client = TestClient(create_app())

    def upload(n: int) -> dict:
        answer = client.post("/api/images", files={"file": ("p.png", corpus.png_rgb(4, 4, (n, 0, 0)), "image/png")})
        assert answer.status_code == 200
        return answer.json()

    try:
        first, second, third = upload(1), upload(2), upload(3)
        gone = client.post("/api/mix", json={"input": {"source": "upload", "image_id": first["image_id"]}})
    finally:
        get_settings.cache_clear()
    assert first["evicted"] == second["evicted"] == []
    assert third["evicted"] == [first["image_id"]]
    assert gone.status_code == 404


def test_addresses_that_hold_nothing_any_more_leave_no_folder(tmp_path):
    store = ImageStore(tmp_path, max_items=8, per_address=4)
    for n in range(100):
        store.put(image(n), client=f"10.0.3.{n}")
    assert len(list(tmp_path.glob("*.npy"))) == 8
    assert len(list((tmp_path / "owners").iterdir())) <= 9  # the 8 holders, and at most one emptied last
