-- wrk script for every row of run.sh.
--   WRK_BODY   when set, each request is a POST with this body (the parse
--              rows; run.sh adds Authorization and Content-Type with -H).
--   unset      a plain GET (the mock fetched directly).
-- At the end it prints one machine-readable line for run.sh:
--   BENCH requests seconds req_per_s p50_ms p99_ms non2xx connect read write timeout

local body = os.getenv("WRK_BODY")
if body ~= nil and body ~= "" then
    wrk.method = "POST"
    wrk.body = body
end

done = function(summary, latency, requests)
    local e = summary.errors
    local secs = summary.duration / 1e6
    io.write(string.format("BENCH %d %.3f %.1f %.3f %.3f %d %d %d %d %d\n",
        summary.requests, secs, summary.requests / secs,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        e.status, e.connect, e.read, e.write, e.timeout))
end
