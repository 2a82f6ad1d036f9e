-- wrk script for the rolling and abrupt runs: counts responses by HTTP status
-- over all threads and prints them in done(), with wrk's socket error counters.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("codes")) do
      total[code] = (total[code] or 0) + n
    end
  end
  local sorted = {}
  for code in pairs(total) do
    table.insert(sorted, code)
  end
  table.sort(sorted)
  local non2xx = 0
  for _, code in ipairs(sorted) do
    io.write(string.format("STATUS %d %d\n", code, total[code]))
    if code < 200 or code > 299 then
      non2xx = non2xx + total[code]
    end
  end
  local e = summary.errors
  io.write(string.format("SUMMARY requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, non2xx, e.connect, e.read, e.write, e.timeout))
end
