#!/usr/bin/env python3
"""Build the mock upstream's document root from the test suite's fixtures.

The answers grabkit gets are the ones tests/src/bilibili.rs and
tests/src/weibo.rs serve (copied unchanged from tests/fixtures/), so the
benchmark measures the same parse the e2e tests check. yt-dlp needs a few
more answers (the video page with window.__INITIAL_STATE__, the page list,
the player info); they are derived here from the same view and playurl
fixtures, so both sides see one video: BV117411r7R1.

Usage: fixtures.py TESTS_FIXTURES_DIR DOCROOT
"""

import json
import pathlib
import shutil
import sys


def main(src: pathlib.Path, out: pathlib.Path) -> None:
    bili, weibo = out / "bilibili", out / "weibo"
    bili.mkdir(parents=True, exist_ok=True)
    weibo.mkdir(parents=True, exist_ok=True)

    # The routes the grabkit Bilibili plugin uses for a BV link, as the Rust
    # mock answers them (view by bvid, playurl split on fnval, nav for WBI).
    for name in ("nav.json", "view_single.json", "playurl_dash.json", "playurl_mp4.json"):
        shutil.copyfile(src / "bilibili" / name, bili / name)
    # Weibo's mobile status JSON: one request per parse (no long text, no video).
    shutil.copyfile(src / "weibo" / "show_pics.json", weibo / "show_pics.json")

    view = json.loads((src / "bilibili" / "view_single.json").read_text())["data"]
    playurl = json.loads((src / "bilibili" / "playurl_dash.json").read_text())

    # yt-dlp: /x/player/pagelist (more than one entry would make it a playlist).
    pagelist = {"code": 0, "message": "0", "ttl": 1, "data": view["pages"]}
    (bili / "pagelist.json").write_text(json.dumps(pagelist, ensure_ascii=False))

    # yt-dlp: /x/player/wbi/v2 (chapters; subtitles only when asked for).
    # Logged out, the real API lists no subtitles and no view points.
    player = {
        "code": 0, "message": "0", "ttl": 1,
        "data": {
            "aid": view["aid"], "bvid": view["bvid"], "cid": view["cid"],
            "need_login_subtitle": True, "view_points": [],
            "subtitle": {"allow_submit": False, "lan": "", "lan_doc": "", "subtitles": []},
        },
    }
    (bili / "player_v2.json").write_text(json.dumps(player, ensure_ascii=False))

    # The video page, shaped like the real one: __playinfo__ (the playurl
    # answer it was rendered with; grabkit's fallback reads it) and
    # __INITIAL_STATE__ (yt-dlp reads videoData and upData from it), each
    # followed by the self-removing script tail the real page has.
    owner = view["owner"]
    state = {
        "aid": view["aid"], "bvid": view["bvid"], "p": 1, "episode": "",
        "videoData": view,
        "upData": {"mid": str(owner["mid"]), "name": owner["name"], "face": owner["face"]},
        "tags": [{"tag_id": 1, "tag_name": "电音"}, {"tag_id": 2, "tag_name": "快板"}],
        "error": {},
    }
    tail = ";(function(){var s;(s=document.currentScript||document.scripts[document.scripts.length-1]).parentNode.removeChild(s);}());"
    title = view["title"]
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8">'
        f"<title>{title}_哔哩哔哩_bilibili</title>"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:image" content="{view["pic"]}">'
        "</head><body><div id=\"app\"></div>"
        f"<script>window.__playinfo__={json.dumps(playurl, ensure_ascii=False)}</script>"
        f"<script>window.__INITIAL_STATE__={json.dumps(state, ensure_ascii=False)}{tail}</script>"
        "</body></html>"
    )
    (bili / "video_page.html").write_text(page)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]))
