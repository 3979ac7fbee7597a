"""A local HTTP server that speaks the Naver Shopping search API's documented format.

`GET /v1/search/shop.json` with `X-Naver-Client-Id` / `X-Naver-Client-Secret`, params `query`,
`display` (1–100), `start` (1–1000), `sort` (sim|date|asc|dsc); answers `{"lastBuildDate",
"total", "start", "display", "items": [...]}` with `<b>`-marked titles and string prices, and
Naver's error bodies (`{"errorMessage", "errorCode"}`) for bad keys and bad params.

Tests script the next answers with `stub.script = ["429", "ok"]` (then `stub.default` answers):
"ok", "empty", "401", "403", "429", "429:N" (Retry-After: N), "500", "503", "slow" (answers after
`slow_s`), "malformed" (invalid JSON), "no-items" (JSON without items).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CLIENT_ID = "stub-client-id"
CLIENT_SECRET = "stub-client-secret"
SORTS = {"sim", "date", "asc", "dsc"}


def sample_items(query: str) -> list[dict]:
    """Realistic items: matched words in <b>, an HTML entity, "" for a missing hprice."""
    return [
        {
            "title": f"나이키 에어포스 1 &#39;07 <b>{query}</b> 화이트",
            "link": "https://search.shopping.naver.com/catalog/31234567890",
            "image": "https://shopping-phinf.pstatic.net/main_3123456/31234567890.20220101.jpg",
            "lprice": "119000",
            "hprice": "159000",
            "mallName": "네이버",
            "productId": "31234567890",
            "productType": "1",
            "brand": "나이키",
            "maker": "나이키",
            "category1": "패션잡화",
            "category2": "남성신발",
            "category3": "운동화",
            "category4": "스니커즈",
        },
        {
            "title": f"[정품] NIKE AIR FORCE 1 <b>{query}</b> &amp; 슈케어 세트",
            "link": "https://smartstore.naver.com/sneakershop/products/5551234567",
            "image": "https://shopping-phinf.pstatic.net/main_5551234/5551234567.jpg",
            "lprice": "124500",
            "hprice": "",
            "mallName": "스니커샵",
            "productId": "85551234567",
            "productType": "2",
            "brand": "나이키",
            "maker": "",
            "category1": "패션잡화",
            "category2": "남성신발",
            "category3": "운동화",
            "category4": "",
        },
        {
            "title": f"에어포스 호환 신발끈 <b>{query[:6]}</b> 화이트 120cm",
            "link": "https://smartstore.naver.com/laces/products/4441234567",
            "image": "https://shopping-phinf.pstatic.net/main_4441234/4441234567.jpg",
            "lprice": "3000",
            "hprice": "",
            "mallName": "끈가게",
            "productId": "84441234567",
            "productType": "2",
            "brand": "",
            "maker": "",
            "category1": "패션잡화",
            "category2": "신발용품",
            "category3": "신발끈",
            "category4": "",
        },
    ]


class NaverStub:
    def __init__(self) -> None:
        self.script: list[str] = []
        self.default = "ok"
        self.slow_s = 3.0
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                stub._handle(self)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> NaverStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    @property
    def count(self) -> int:
        return len(self.requests)

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests."""
        times = [r["t"] for r in self.requests]
        return [b - a for a, b in zip(times, times[1:], strict=False)]

    # -- the API ----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(
                {
                    "t": time.monotonic(),
                    "path": url.path,
                    "params": params,
                    "headers": dict(h.headers.items()),
                }
            )
            mode = self.script.pop(0) if self.script else self.default
        if url.path != "/v1/search/shop.json":
            return self._send(h, 404, {"errorMessage": "Not Found", "errorCode": "404"})
        if (
            h.headers.get("X-Naver-Client-Id") != CLIENT_ID
            or h.headers.get("X-Naver-Client-Secret") != CLIENT_SECRET
            or mode == "401"
        ):
            return self._send(
                h,
                401,
                {
                    "errorMessage": "NID AUTH Result Invalid (1000) : Authentication failed. "
                    "(인증에 실패했습니다.)",
                    "errorCode": "024",
                },
            )
        bad = self._check_params(params)
        if bad:
            return self._send(h, 400, {"errorMessage": bad[1], "errorCode": bad[0]})
        if mode == "403":
            return self._send(
                h,
                403,
                {
                    "errorMessage": "Scope Status Invalid : Authentication "
                    "failed. (권한이 없습니다.)",
                    "errorCode": "024",
                },
            )
        if mode.startswith("429"):
            headers = {"Retry-After": mode.split(":", 1)[1]} if ":" in mode else {}
            return self._send(
                h,
                429,
                {
                    "errorMessage": "Rate limit exceeded. (속도 제한을 초과했습니다.)",
                    "errorCode": "012",
                },
                headers,
            )
        if mode in ("500", "503"):
            return self._send(
                h, int(mode), {"errorMessage": "System error. (시스템 에러)", "errorCode": "SE99"}
            )
        if mode == "slow":
            self._stop.wait(self.slow_s)
        if mode == "malformed":
            return self._send_raw(h, 200, b'{"lastBuildDate": "Mon, 24 Nov', "application/json")
        if mode == "no-items":
            return self._send(
                h, 200, {"lastBuildDate": "Mon, 24 Nov 2025 10:00:00 +0900", "total": 0}
            )
        items = [] if mode == "empty" else sample_items(params["query"])
        display, start = int(params.get("display", 10)), int(params.get("start", 1))
        items = items[:display]
        self._send(
            h,
            200,
            {
                "lastBuildDate": "Mon, 24 Nov 2025 10:12:31 +0900",
                "total": len(items) * 37 if items else 0,
                "start": start,
                "display": len(items),
                "items": items,
            },
        )

    @staticmethod
    def _check_params(params: dict[str, str]) -> tuple[str, str] | None:
        if not params.get("query"):
            return "SE01", "Incorrect query request (잘못된 쿼리요청입니다.)"
        try:
            if not 1 <= int(params.get("display", "10")) <= 100:
                raise ValueError
        except ValueError:
            return "SE02", "Invalid display value (부적절한 display 값입니다.)"
        try:
            if not 1 <= int(params.get("start", "1")) <= 1000:
                raise ValueError
        except ValueError:
            return "SE03", "Invalid start value (부적절한 start 값입니다.)"
        if params.get("sort", "sim") not in SORTS:
            return "SE04", "Invalid sort value (부적절한 sort 값입니다.)"
        return None

    def _send(self, h, status: int, body: dict, headers: dict | None = None) -> None:  # noqa: ANN001
        data = json.dumps(body, ensure_ascii=False).encode()
        self._send_raw(h, status, data, "application/json;charset=utf-8", headers)

    @staticmethod
    def _send_raw(h, status, data, ctype, headers=None) -> None:  # noqa: ANN001
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)
