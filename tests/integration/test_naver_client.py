"""The Naver Shopping client and the lookup against a local server speaking Naver's format."""

import threading
import time

import pytest

from naver_stub import CLIENT_ID, CLIENT_SECRET, NaverStub
from pixelsmith.core.catalog.lookup import PROVIDER_OFF_MESSAGE, lookup_product
from pixelsmith.core.catalog.providers import (
    ProviderAuthFailed,
    ProviderBadRequest,
    ProviderBadResponse,
    ProviderRateLimited,
    ProviderUnavailable,
    create_provider,
)
from pixelsmith.core.catalog.providers.naver import NaverShoppingClient
from pixelsmith.core.catalog.service import CatalogService
from pixelsmith.core.config import Settings
from pixelsmith.core.db import Database
from pixelsmith.core.errors import ApiError

pytestmark = pytest.mark.integration


@pytest.fixture
def stub():
    server = NaverStub().start()
    yield server
    server.stop()


@pytest.fixture
def make_client(stub):
    clients = []

    def make(**kw) -> NaverShoppingClient:
        kw.setdefault("backoff", 0.01)
        client = NaverShoppingClient(
            kw.pop("client_id", CLIENT_ID),
            kw.pop("client_secret", CLIENT_SECRET),
            base_url=stub.base_url,
            **kw,
        )
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def catalog(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'catalog.db'}")
    db.migrate()
    yield CatalogService(db)
    db.dispose()


# -- request and parsing --------------------------------------------------------------------


def test_sends_documented_headers_and_params_and_parses_items(stub, make_client):
    page = make_client().search_page("CW2288-111", display=5, start=3, sort="asc")

    (req,) = stub.requests
    assert req["path"] == "/v1/search/shop.json"
    assert req["headers"]["X-Naver-Client-Id"] == CLIENT_ID
    assert req["headers"]["X-Naver-Client-Secret"] == CLIENT_SECRET
    assert req["params"] == {"query": "CW2288-111", "display": "5", "start": "3", "sort": "asc"}

    assert page.start == 3 and page.display == 3 and page.total == 111
    first, second, laces = page.items
    assert first.title == "나이키 에어포스 1 '07 CW2288-111 화이트"  # <b> gone, &#39; unescaped
    assert second.title == "[정품] NIKE AIR FORCE 1 CW2288-111 & 슈케어 세트"
    assert (first.lprice, first.hprice) == (119000, 159000)
    assert (second.lprice, second.hprice) == (124500, None)  # "" → None
    assert first.mall_name == "네이버" and first.product_id == "31234567890"
    assert first.brand == "나이키" and first.maker == "나이키" and second.maker == ""
    assert first.categories == ["패션잡화", "남성신발", "운동화", "스니커즈"]
    assert second.categories == ["패션잡화", "남성신발", "운동화"]
    assert first.link.startswith("https://") and first.image.endswith(".jpg")
    assert laces.lprice == 3000


def test_search_uses_default_params(stub, make_client):
    items = make_client().search("M990GL6")
    assert len(items) == 3
    assert stub.requests[0]["params"] == {
        "query": "M990GL6",
        "display": "10",
        "start": "1",
        "sort": "sim",
    }


def test_empty_results_are_an_empty_list(stub, make_client):
    stub.default = "empty"
    assert make_client().search("NO-SUCH-CODE") == []


@pytest.mark.parametrize(
    "kw", [{"display": 0}, {"display": 101}, {"start": 0}, {"start": 1001}, {"sort": "price"}]
)
def test_out_of_range_params_are_refused_before_any_request(stub, make_client, kw):
    with pytest.raises(ApiError) as exc:
        make_client().search_page("CW2288-111", **kw)
    assert exc.value.status_code == 422
    assert stub.count == 0


def test_empty_query_is_refused(stub, make_client):
    with pytest.raises(ApiError):
        make_client().search("   ")
    assert stub.count == 0


# -- errors and retries ---------------------------------------------------------------------


def test_401_fails_at_once_with_a_hint_about_the_keys(stub, make_client):
    stub.default = "401"
    with pytest.raises(ProviderAuthFailed) as exc:
        make_client(retries=3).search("CW2288-111")
    err = exc.value
    assert stub.count == 1  # no retry
    assert err.code == "provider_auth_failed" and err.status_code == 502
    assert "PIXELSMITH_NAVER_CLIENT_ID/SECRET" in err.message
    assert err.details["upstream_code"] == "024"


def test_wrong_secret_is_rejected_by_the_server(stub, make_client):
    with pytest.raises(ProviderAuthFailed):
        make_client(client_secret="wrong").search("CW2288-111")
    assert stub.count == 1


def test_403_is_an_auth_failure_without_retry(stub, make_client):
    stub.default = "403"
    with pytest.raises(ProviderAuthFailed) as exc:
        make_client().search("CW2288-111")
    assert stub.count == 1
    assert "Search API" in exc.value.message


def test_400_is_not_retried(stub, make_client, monkeypatch):
    client = make_client()
    # send a param the server refuses (as if our validation had a gap)
    monkeypatch.setattr("pixelsmith.core.catalog.providers.naver.SORTS", ("sim", "price"))
    with pytest.raises(ProviderBadRequest) as exc:
        client.search_page("CW2288-111", sort="price")
    assert stub.count == 1
    assert exc.value.details["upstream_code"] == "SE04"
    assert exc.value.status_code == 502


def test_429_then_success_retries_with_backoff(stub, make_client):
    stub.script = ["429", "ok"]
    items = make_client(backoff=0.2).search("CW2288-111")
    assert len(items) == 3
    assert stub.count == 2
    assert stub.gaps()[0] >= 0.18


def test_429_retry_after_is_honoured(stub, make_client):
    stub.script = ["429:1", "ok"]
    items = make_client(backoff=0.01).search("CW2288-111")
    assert len(items) == 3 and stub.count == 2
    assert stub.gaps()[0] >= 0.95


def test_429_retry_after_is_capped(stub, make_client):
    stub.script = ["429:120", "ok"]
    t0 = time.monotonic()
    make_client(backoff=0.01, retry_after_cap=0.3).search("CW2288-111")
    assert stub.count == 2
    assert 0.28 <= stub.gaps()[0] and time.monotonic() - t0 < 3


def test_429_after_all_retries_is_rate_limited(stub, make_client):
    stub.default = "429"
    with pytest.raises(ProviderRateLimited) as exc:
        make_client(retries=2).search("CW2288-111")
    assert stub.count == 3
    assert exc.value.code == "provider_rate_limited" and exc.value.status_code == 503
    assert "Retry-After" in exc.value.headers


def test_500_then_success(stub, make_client):
    stub.script = ["500", "ok"]
    assert len(make_client().search("CW2288-111")) == 3
    assert stub.count == 2


def test_persistent_500_backs_off_exponentially_then_is_unavailable(stub, make_client):
    stub.default = "500"
    with pytest.raises(ProviderUnavailable) as exc:
        make_client(retries=2, backoff=0.15).search("CW2288-111")
    assert stub.count == 3
    first, second = stub.gaps()
    assert first >= 0.14 and second >= 0.29  # 0.15 s, then 0.30 s
    assert exc.value.code == "provider_unavailable" and exc.value.status_code == 503
    assert "HTTP 500" in exc.value.message and "3 tries" in exc.value.message


def test_slow_answer_times_out_within_bounded_time(stub, make_client):
    stub.default = "slow"
    stub.slow_s = 5.0
    t0 = time.monotonic()
    with pytest.raises(ProviderUnavailable) as exc:
        make_client(timeout=0.3, retries=1, backoff=0.05).search("CW2288-111")
    elapsed = time.monotonic() - t0
    assert stub.count == 2
    assert elapsed < 2.0  # 2 × 0.3 s + backoff, not 2 × 5 s
    assert exc.value.status_code == 504 and exc.value.code == "provider_unavailable"
    assert "in time" in exc.value.message


def test_connection_refused_is_unavailable(make_client, stub):
    stub.stop()
    with pytest.raises(ProviderUnavailable) as exc:
        make_client(retries=1).search("CW2288-111")
    assert "connection failed" in exc.value.message


def test_malformed_json_is_a_bad_response(stub, make_client):
    stub.default = "malformed"
    with pytest.raises(ProviderBadResponse) as exc:
        make_client().search("CW2288-111")
    assert exc.value.code == "provider_bad_response" and exc.value.status_code == 502
    assert stub.count == 1


def test_json_without_items_is_a_bad_response(stub, make_client):
    stub.default = "no-items"
    with pytest.raises(ProviderBadResponse):
        make_client().search("CW2288-111")


# -- cache ----------------------------------------------------------------------------------


def test_cache_hit_avoids_a_second_request(stub, make_client):
    client = make_client()
    first = client.search("CW2288-111")
    assert client.search("  CW2288-111 ") == first
    assert stub.count == 1 and client.cache.hits == 1
    client.search("CW2288-111", display=5)  # another key
    client.search_page("CW2288-111", sort="asc")
    assert stub.count == 3


def test_cache_entries_expire(stub, make_client):
    client = make_client(cache_ttl=0.2)
    client.search("CW2288-111")
    time.sleep(0.3)
    client.search("CW2288-111")
    assert stub.count == 2


def test_cache_evicts_least_recently_used(stub, make_client):
    client = make_client(cache_size=2)
    for q in ("A1", "B2", "A1", "C3", "A1", "B2"):
        client.search(q)
    # A1 fetched, B2 fetched, A1 hit, C3 fetched (evicts B2), A1 hit, B2 fetched again
    assert stub.count == 4 and len(client.cache) == 2


def test_errors_are_not_cached(stub, make_client):
    stub.script = ["401"]
    client = make_client()
    with pytest.raises(ProviderAuthFailed):
        client.search("CW2288-111")
    assert len(client.search("CW2288-111")) == 3


def test_concurrent_searches_are_safe(stub, make_client):
    client = make_client()
    results, errors = [], []

    def work(i: int) -> None:
        try:
            results.append(client.search(f"CODE{i % 4}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 24
    assert 4 <= stub.count <= 24 and len(client.cache) == 4


# -- create_provider and lookup -------------------------------------------------------------


def test_create_provider_needs_both_keys(stub, tmp_path):
    assert create_provider(Settings(data_dir=tmp_path)) is None
    assert create_provider(Settings(data_dir=tmp_path, naver_client_id="x")) is None
    provider = create_provider(
        Settings(
            data_dir=tmp_path,
            naver_client_id=CLIENT_ID,
            naver_client_secret=CLIENT_SECRET,
            naver_base_url=stub.base_url,
            naver_timeout_s=1.5,
        )
    )
    try:
        assert isinstance(provider, NaverShoppingClient) and provider.enabled
        assert provider.timeout == 1.5
        assert len(provider.search("CW2288-111")) == 3
    finally:
        provider.close()


def test_lookup_answers_from_the_catalog_without_asking_naver(stub, make_client, catalog):
    catalog.ensure_demo()
    result = lookup_product("cw2288 111", catalog=catalog, provider=make_client())
    assert result.source == "local" and result.provider_enabled and result.provider == "naver"
    assert result.products[0]["code"] == "CW2288-111" and result.products[0]["is_demo"]
    assert result.message is None and result.provider_error is None
    assert stub.count == 0


def test_lookup_falls_back_to_naver_and_keeps_the_card(stub, make_client, catalog):
    client = make_client()
    result = lookup_product("DZ5485-612", catalog=catalog, provider=client)
    assert result.source == "naver" and result.provider_error is None
    card = result.products[0]
    # the cheapest offer that names the code, not the 3,000 won shoelaces
    assert card["price"] == 119000 and card["currency"] == "KRW"
    assert card["price_text"] == "₩119,000"
    assert card["mall"] == "네이버" and card["name"].startswith("나이키 에어포스 1")
    assert card["shop_url"].startswith("https://search.shopping.naver.com/")
    assert card["image_url"].startswith("https://shopping-phinf.pstatic.net/")
    assert card["source"] == "naver" and not card["is_demo"] and card["match"] == "exact"
    assert card["id"] > 0
    assert [o["lprice"] for o in result.offers] == [3000, 119000, 124500]
    assert stub.requests[0]["params"]["query"] == "DZ5485-612"

    client.cache.clear()
    again = lookup_product("DZ5485612", catalog=catalog, provider=client)
    assert again.source == "naver" and again.products[0]["id"] == card["id"]
    assert stub.count == 1  # served from the stored card


def test_lookup_with_no_online_result_says_so(stub, make_client, catalog):
    stub.default = "empty"
    result = lookup_product("ZZ0000-000", catalog=catalog, provider=make_client())
    assert result.source == "none" and result.products == []
    assert "no product" in result.message and result.provider_error is None


def test_lookup_survives_a_failing_provider(stub, make_client, catalog):
    catalog.ensure_demo()
    stub.default = "500"
    result = lookup_product("CW2288-112", catalog=catalog, provider=make_client(retries=1))
    assert result.provider_error["code"] == "provider_unavailable"
    assert "Naver Shopping is unavailable" in result.provider_error["message"]
    # local close matches still come back
    assert result.source == "local" and result.products[0]["code"] == "CW2288-111"
    assert result.products[0]["match"] == "close"


def test_lookup_reports_bad_keys(stub, make_client, catalog):
    result = lookup_product(
        "ZZ0000-000", catalog=catalog, provider=make_client(client_secret="nope")
    )
    assert result.source == "none" and result.products == []
    assert result.provider_error["code"] == "provider_auth_failed"
    assert "PIXELSMITH_NAVER_CLIENT_ID" in result.provider_error["message"]


def test_lookup_times_out_quickly(stub, make_client, catalog):
    stub.default = "slow"
    t0 = time.monotonic()
    result = lookup_product(
        "ZZ0000-000", catalog=catalog, provider=make_client(timeout=0.3, retries=0)
    )
    assert time.monotonic() - t0 < 1.5
    assert result.provider_error["code"] == "provider_unavailable"


def test_lookup_without_provider_is_local_and_says_how_to_enable(catalog):
    catalog.ensure_demo()
    result = lookup_product("M9160C", catalog=catalog, provider=None)
    assert result.source == "local" and not result.provider_enabled
    assert result.message == PROVIDER_OFF_MESSAGE
    missing = lookup_product("ZZ0000-000", catalog=catalog, provider=None)
    assert missing.source == "none" and missing.message == PROVIDER_OFF_MESSAGE


def test_lookup_with_keyless_client_counts_as_disabled(stub, catalog):
    client = NaverShoppingClient("", "", base_url=stub.base_url)
    try:
        result = lookup_product("ZZ0000-000", catalog=catalog, provider=client)
    finally:
        client.close()
    assert not result.provider_enabled and result.message == PROVIDER_OFF_MESSAGE
    assert stub.count == 0


def test_concurrent_lookups_of_a_new_code_store_one_card(stub, make_client, catalog):
    client = make_client()
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work() -> None:
        try:
            barrier.wait()
            results.append(lookup_product("DZ5485-613", catalog=catalog, provider=client))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 8
    assert {r.source for r in results} == {"naver"}
    assert len({r.products[0]["id"] for r in results}) == 1
    assert catalog.count(source="naver") == 1
