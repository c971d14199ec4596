"""yt-dlp as a parse service, for the side-by-side benchmark (run.sh).

    POST /parse {"url": "..."}  ->  yt-dlp's info dict (extract_info, no download)

Run with uvicorn (run.sh starts 2 workers). The Bilibili and Weibo
hostnames are resolved to the mock upstream (BENCH_MOCK_HOST, default
127.0.0.1, port BENCH_MOCK_PORT) by patching socket.getaddrinfo in this
process, so yt-dlp's own URLs, Host headers and SNI stay the real ones and
nothing leaves the machine. The mock's certificate is from run.sh's
throwaway CA; yt-dlp is told not to check it (nocheckcertificate).

Also a command line for checks outside the service:
    python ytdlp_service.py -J URL        yt-dlp -J through the same resolver
    python ytdlp_service.py time URL      one parse, then a repeat, timed in-process;
                                          prints "label seconds start_epoch end_epoch title"
"""

import os
import socket
import sys
import time

MOCKED_HOSTS = {
    "www.bilibili.com",
    "api.bilibili.com",
    "m.weibo.cn",
}
MOCK_HOST = os.environ.get("BENCH_MOCK_HOST", "127.0.0.1")
MOCK_PORT = int(os.environ.get("BENCH_MOCK_PORT", "18443"))

_real_getaddrinfo = socket.getaddrinfo


def _mock_getaddrinfo(host, port, *args, **kwargs):
    # Every name yt-dlp would look up for this video goes to the mock's
    # address and TLS port; anything else resolves as usual (and has
    # nowhere to go on this machine).
    if isinstance(host, bytes):
        host = host.decode()
    if host in MOCKED_HOSTS:
        return _real_getaddrinfo(MOCK_HOST, MOCK_PORT, *args, **kwargs)
    return _real_getaddrinfo(host, port, *args, **kwargs)


socket.getaddrinfo = _mock_getaddrinfo

import yt_dlp  # noqa: E402  (after the patch, so every connection sees it)

YDL_OPTS = {
    "quiet": True,
    "no_warnings": True,
    "noprogress": True,
    "skip_download": True,
    "nocheckcertificate": True,
    # No on-disk cache (yt-dlp would otherwise write to ~/.cache).
    "cachedir": False,
    "socket_timeout": 15,
}


def extract(url: str) -> dict:
    # One YoutubeDL per request: it is not meant to be shared between
    # threads. (BiliBili's WBI key is cached on the class, per process, 30 s.)
    with yt_dlp.YoutubeDL(YDL_OPTS) as ydl:
        info = ydl.extract_info(url, download=False)
        return ydl.sanitize_info(info)


def _app():
    from fastapi import FastAPI, HTTPException
    from pydantic import BaseModel

    app = FastAPI(title="yt-dlp parse service (benchmark)")

    class ParseRequest(BaseModel):
        url: str

    # A plain `def`: FastAPI runs it in its thread pool, since extract_info
    # blocks on the network.
    @app.post("/parse")
    def parse(req: ParseRequest):
        try:
            return extract(req.url)
        except yt_dlp.utils.DownloadError as e:
            raise HTTPException(status_code=502, detail=str(e))

    @app.get("/healthz")
    def healthz():
        return {"ok": True, "yt_dlp": yt_dlp.version.__version__}

    return app


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "-J":
        # The same as `yt-dlp -J --no-check-certificates URL`, resolver patched.
        sys.exit(yt_dlp.main(["-J", "--no-check-certificates", "--no-cache-dir", sys.argv[2]]))
    if len(sys.argv) == 3 and sys.argv[1] == "time":
        for label in ("first", "repeat"):
            start, t = time.time(), time.perf_counter()
            info = extract(sys.argv[2])
            secs = time.perf_counter() - t
            print(f"{label} {secs:.6f} {start:.3f} {time.time():.3f} {info.get('title')}")
        sys.exit(0)
    sys.exit(__doc__)
else:
    app = _app()
