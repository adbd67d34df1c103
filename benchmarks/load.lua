-- wrk script of `make load`: counts answers that are not 2xx (wrk itself counts only
-- status >= 400) and those that are 202 Accepted, and prints the run's figures as one
-- JSON line.
--
-- With LOAD_DELIVERIES set (the manifest benchmarks/load_site.py push-prepare writes:
-- one "<X-Hub-Signature value> <document file>" a line), each request POSTs the next
-- of those signed RSS documents instead of the GET of the URL, each thread starting
-- at a different one.
local threads = {}
local manifest = os.getenv("LOAD_DELIVERIES")
local deliveries = {}
local turn = 0

if manifest then
  for line in io.lines(manifest) do
    local signature, file = line:match("^(%S+) (.+)$")
    local handle = assert(io.open(file, "rb"))
    table.insert(deliveries, {signature = signature, body = handle:read("*a")})
    handle:close()
  end

  function request()
    turn = turn % #deliveries + 1
    return deliveries[turn].request
  end
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  accepted = 0
  for _, delivery in ipairs(deliveries) do
    delivery.request = wrk.format("POST", wrk.path, {
      ["Content-Type"] = "application/rss+xml",
      ["X-Hub-Signature"] = delivery.signature,
    }, delivery.body)
  end
  if #deliveries > 0 then
    turn = (id * 7) % #deliveries
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if status == 202 then
    accepted = accepted + 1
  end
end

function done(summary, latency, requests)
  local bad, ok = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    ok = ok + thread:get("accepted")
  end
  local errors = summary.errors
  io.write(string.format(
    'LOAD-JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "accepted": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, bad, ok,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
