-- The summary line bench/run reads after every wrk run. Requests answered with an
-- error status are counted as errors, not as throughput, so a page that fails fast
-- cannot look fast.
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  local seconds = summary.duration / 1e6
  local good = summary.requests - e.status
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f rate=%.1f errors=%d p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f\n",
    good, seconds, good / seconds, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
